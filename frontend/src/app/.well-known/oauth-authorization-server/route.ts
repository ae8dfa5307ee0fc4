import { authorizationServerMetadata, metadataPreflight } from "@/lib/oauth/metadata";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => authorizationServerMetadata(request);
export const OPTIONS = () => metadataPreflight();
