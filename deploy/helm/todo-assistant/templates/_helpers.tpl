{{/* Names: <release>-<chart> (or the release name when it already contains the chart's). */}}
{{- define "todo.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* One component's resource name; call with (dict "root" $ "component" "history-service"). */}}
{{- define "todo.name" -}}
{{- printf "%s-%s" (include "todo.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "todo.labels" -}}
{{ include "todo.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "todo.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .component (.root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* Database topology. */}}
{{- define "todo.bundledPostgres" -}}
{{- if and .Values.postgresql.enabled (not .Values.database.url) }}true{{ end -}}
{{- end -}}

{{- define "todo.migrateInJob" -}}
{{- if and (eq .Values.migrations.mode "job") (not (include "todo.bundledPostgres" .)) }}true{{ end -}}
{{- end -}}

{{- define "todo.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "todo.fullname" .) -}}
{{- end -}}

{{- define "todo.postgresPassword" -}}
{{- required "set postgresql.password (the bundled PostgreSQL's password), or database.url for an external one" .Values.postgresql.password -}}
{{- end -}}

{{/* The asyncpg URL every Python service uses unless overridden. */}}
{{- define "todo.databaseUrl" -}}
{{- if .Values.database.url -}}
{{- .Values.database.url -}}
{{- else if include "todo.bundledPostgres" . -}}
{{- $pg := .Values.postgresql -}}
{{- printf "postgresql+asyncpg://%s:%s@%s:5432/%s" $pg.username (include "todo.postgresPassword" . | urlquery) (include "todo.name" (dict "root" . "component" "postgresql")) $pg.database -}}
{{- else if not .Values.secrets.existingSecret -}}
{{- fail "set database.url (an external PostgreSQL), postgresql.enabled=true, or secrets.existingSecret" -}}
{{- end -}}
{{- end -}}

{{- define "todo.historyDatabaseUrl" -}}
{{- .Values.database.historyUrl | default (include "todo.databaseUrl" .) -}}
{{- end -}}

{{- define "todo.mcpDatabaseUrl" -}}
{{- .Values.database.mcpUrl | default (include "todo.databaseUrl" .) -}}
{{- end -}}

{{/* node-postgres wants no +driver and spells asyncpg's ssl=require as sslmode=require. */}}
{{- define "todo.authDatabaseUrl" -}}
{{- if .Values.database.authUrl -}}
{{- .Values.database.authUrl -}}
{{- else -}}
{{- include "todo.databaseUrl" . | replace "postgresql+asyncpg://" "postgresql://" | replace "ssl=require" "sslmode=require" -}}
{{- end -}}
{{- end -}}

{{- define "todo.jwksUrl" -}}
{{- .Values.auth.jwksUrl | default (printf "http://%s:%v/api/auth/jwks" (include "todo.name" (dict "root" . "component" "frontend")) .Values.frontend.port) -}}
{{- end -}}

{{/* The public URL of mcp-server's /mcp: the audience its tokens carry (RFC 8707). */}}
{{- define "todo.mcpResourceUrl" -}}
{{- .Values.mcpServer.publicUrl | default (printf "%s/mcp" (trimSuffix "/" .Values.frontend.publicUrl)) -}}
{{- end -}}

{{/* Variables every Python service reads, for its ConfigMap. */}}
{{- define "todo.pythonConfig" -}}
{{- $root := .root -}}
APP_ENV: {{ $root.Values.appEnv | quote }}
LOG_LEVEL: {{ $root.Values.logLevel | quote }}
LOG_FORMAT: {{ $root.Values.logFormat | quote }}
HOST: "0.0.0.0"
PORT: {{ .port | quote }}
AUTH_JWKS_URL: {{ include "todo.jwksUrl" $root | quote }}
AUTH_ISSUER: {{ $root.Values.auth.issuer | default $root.Values.frontend.publicUrl | quote }}
AUTH_AUDIENCE: {{ $root.Values.auth.audience | default $root.Values.frontend.publicUrl | quote }}
AUTH_ALLOW_HS256: {{ include "todo.allowHs256" $root | default "false" | quote }}
OTEL_SERVICE_NAME: {{ .component | quote }}
{{- with $root.Values.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* "true" when HS256 tokens are switched on; a secret given without the switch is refused. */}}
{{- define "todo.allowHs256" -}}
{{- if .Values.auth.allowHs256 -}}
true
{{- else if .Values.secrets.authJwtSecret -}}
{{- fail "secrets.authJwtSecret is set but auth.allowHs256 is not: set auth.allowHs256=true to accept HS256 tokens, or leave the secret empty" -}}
{{- end -}}
{{- end -}}

{{/* The Secret entries of a Python service: its database URL (if any), and the HS256 secret
when HS256 is switched on. Call with (dict "root" $ "databaseKey" "history-database-url"). */}}
{{- define "todo.pythonSecretEnvs" -}}
{{- $entries := list -}}
{{- with .databaseKey }}
{{- $entries = append $entries (dict "name" "DATABASE_URL" "key" .) -}}
{{- end }}
{{- if include "todo.allowHs256" .root }}
{{- $entries = append $entries (dict "name" "AUTH_JWT_SECRET" "key" "auth-jwt-secret") -}}
{{- end }}
{{- range .extra }}
{{- $entries = append $entries . -}}
{{- end }}
{{- include "todo.secretEnvs" (dict "root" .root "entries" $entries) -}}
{{- end -}}

{{/* A Secret key as an env var; optional keys may be absent from the Secret. */}}
{{- define "todo.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "todo.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* Several Secret keys as env vars; call with (dict "root" $ "entries" (list (dict "name" … "key" …))). */}}
{{- define "todo.secretEnvs" -}}
{{- $root := .root -}}
{{- range .entries }}
{{ include "todo.secretEnv" (merge (dict "root" $root) .) }}
{{- end }}
{{- end -}}

{{- define "todo.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "todo.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/*
A Deployment for one app. Arguments: root, component, values (replicas, port, resources),
uid, env (a YAML list, may be empty), autoscaled (omit replicas), writable (paths to mount as
emptyDir for a read-only root filesystem), readyPath (default /readyz).
*/}}
{{- define "todo.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo.name" . }}
  labels:
    {{- include "todo.labels" . | nindent 4 }}
spec:
  {{- if not .autoscaled }}
  replicas: {{ .values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "todo.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "todo.selectorLabels" . | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmaps.yaml") $root | sha256sum }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .values.port | quote }}
        prometheus.io/path: /metrics
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "todo.podSecurityContext" . | nindent 8 }}
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ .component }}
          image: {{ include "todo.image" . }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "todo.name" . }}
          {{- with .env }}
          env:
            {{- . | trim | nindent 12 }}
          {{- end }}
          startupProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 2
            failureThreshold: 90
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet: {path: {{ .readyPath | default "/readyz" }}, port: http}
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- include "todo.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            {{- range $index, $path := .writable }}
            - name: {{ printf "writable-%d" $index }}
              mountPath: {{ $path }}
            {{- end }}
      volumes:
        {{- range $index, $path := .writable }}
        - name: {{ printf "writable-%d" $index }}
          emptyDir: {}
        {{- end }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{- define "todo.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "todo.name" . }}
  labels:
    {{- include "todo.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "todo.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .port }}
      targetPort: http
      protocol: TCP
{{- end -}}
