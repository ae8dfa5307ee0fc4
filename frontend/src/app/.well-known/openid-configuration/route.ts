import { openIdConfiguration, metadataPreflight } from "@/lib/oauth/metadata";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => openIdConfiguration(request);
export const OPTIONS = () => metadataPreflight();
