#!/bin/sh
# The home directory used to be /home/<user>.linux and is now /home/<user>.guest; link the
# other spelling to the real one so paths from either era keep working.
set -eu
home=$LIMA_CIDATA_HOME
case $home in
"/home/$LIMA_CIDATA_USER.linux") other="/home/$LIMA_CIDATA_USER.guest" ;;
"/home/$LIMA_CIDATA_USER.guest") other="/home/$LIMA_CIDATA_USER.linux" ;;
*) exit 0 ;;
esac
[ -d "$home" ] || exit 0
if [ -e "$other" ] || [ -L "$other" ]; then
	exit 0
fi
ln -s "$home" "$other"
