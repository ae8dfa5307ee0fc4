import { FAILED_TOOL_ICON, type WorkflowTask } from "@/lib/chatkit/schemas";

/** The tools the assistant ran for a reply: spinning while they run, ticked when done, flagged when they failed. */
export function ToolCallCard({ tasks, title }: { tasks: WorkflowTask[]; title?: string }) {
  if (tasks.length === 0) return null;
  return (
    <div
      data-testid="tool-calls"
      className="max-w-full rounded-xl border border-slate-200 bg-slate-50 px-3 py-2 text-sm"
    >
      {title && <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">{title}</p>}
      <ul className="space-y-1">
        {tasks.map((task, index) => (
          <ToolCallRow key={index} task={task} />
        ))}
      </ul>
    </div>
  );
}

function ToolCallRow({ task }: { task: WorkflowTask }) {
  const running = task.status_indicator === "loading";
  const failed = task.icon === FAILED_TOOL_ICON;
  return (
    <li data-testid="tool-call" data-status={failed ? "failed" : (task.status_indicator ?? "none")} className="min-w-0">
      <details className="group">
        <summary className="flex cursor-pointer list-none items-center gap-2 text-slate-700">
          <StatusIcon running={running} done={task.status_indicator === "complete"} failed={failed} />
          <span className="truncate font-mono text-xs">{task.title ?? "Tool"}</span>
        </summary>
        {task.content && (
          <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-white p-2 font-mono text-xs text-slate-600">
            {task.content}
          </pre>
        )}
      </details>
    </li>
  );
}

function StatusIcon({ running, done, failed }: { running: boolean; done: boolean; failed: boolean }) {
  if (failed) {
    return (
      <span
        aria-label="failed"
        className="inline-flex h-3.5 w-3.5 shrink-0 items-center justify-center rounded-full bg-rose-500 text-[10px] font-bold text-white"
      >
        !
      </span>
    );
  }
  if (running) {
    return (
      <span
        aria-label="running"
        className="inline-block h-3.5 w-3.5 shrink-0 animate-spin rounded-full border-2 border-indigo-300 border-t-indigo-600"
      />
    );
  }
  return (
    <span
      aria-label={done ? "done" : "tool"}
      className={`inline-flex h-3.5 w-3.5 shrink-0 items-center justify-center rounded-full text-[10px] ${done ? "bg-emerald-500 text-white" : "bg-slate-300"}`}
    >
      {done ? "✓" : ""}
    </span>
  );
}
