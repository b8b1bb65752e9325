/**
 * `GET /v1/screenshot` of a running host agent, with the errors Lima's
 * `pkg/hostagent/api/client/client.go` gives for its status codes.
 */
import { LimaError } from "../errors.ts";
import { hostAgentGet } from "../store/hostagent_info.ts";
import type { ScreenshotFormat } from "../../plugins/contract.ts";

/** Larger answers are refused (Lima's limit). */
const MAX_SCREENSHOT_BYTES = 32 << 20;
/** Capturing may render a large display under emulation. */
const SCREENSHOT_TIMEOUT_MS = 60_000;

/** The image the host agent on SOCK captures in FORMAT. */
export async function requestScreenshot(
  sock: string,
  format: ScreenshotFormat,
): Promise<Uint8Array<ArrayBuffer>> {
  const res = await hostAgentGet(
    sock,
    `/v1/screenshot?format=${format}`,
    SCREENSHOT_TIMEOUT_MS,
  );
  if (res.status !== 200) throw statusError(res.status, res.body);
  if (res.body.length > MAX_SCREENSHOT_BYTES) {
    throw new LimaError({
      summary: `screenshot response exceeds ${
        MAX_SCREENSHOT_BYTES >> 20
      } MB limit`,
    });
  }
  return res.body;
}

function statusError(status: number, body: Uint8Array): LimaError {
  switch (status) {
    case 404:
      return new LimaError({
        summary:
          "hostagent does not support screenshot — restart the instance to pick up the latest hostagent binary",
      });
    case 422:
      return new LimaError({
        summary:
          'VM has no display configured — set video.display (e.g., "default") in the instance config',
      });
    default:
      return new LimaError({ summary: messageOf(body) || `status ${status}` });
  }
}

/** The `message` of the host agent's JSON error body, else the body itself. */
function messageOf(body: Uint8Array): string {
  const text = new TextDecoder().decode(body).trim();
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === "string" ? message : text;
  } catch {
    return text;
  }
}
