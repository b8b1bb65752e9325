/** A change in one port forward, as the host agent's event stream reports it. */
export interface PortForwardEvent {
  type: "forwarding" | "not-forwarding" | "stopping" | "failed";
  protocol: string;
  guestAddr: string;
  hostAddr: string;
  error?: string;
}
