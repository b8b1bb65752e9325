#!/bin/sh
# Sockets forwarded from the host (the SSH agent) are linked here, readable by the user only.
set -eu
install -d -m 0700 -o "$LIMA_CIDATA_USER" /run/host-services
