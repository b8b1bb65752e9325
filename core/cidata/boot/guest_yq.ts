/**
 * `lima-yq`, put into the seed as `util/lima-yq`: boot.sh runs it for `yq` provisions when
 * the guest has no yq of its own (see yq.py).
 */
import yq from "./yq.py" with { type: "text" };

export const GUEST_YQ: string = yq;
