#!/bin/sh
# Runs as root at every boot, started by cloud-init's per-boot script (or an init script on
# guests without cloud-init) with LIMA_CIDATA_MNT pointing at the mounted seed.
set -eu

# Under bash the log time comes from a builtin rather than from one date process per line,
# which adds up to seconds on an emulated CPU.
if [ -z "${BASH_VERSION:-}" ] && command -v bash >/dev/null 2>&1; then
	exec bash "$0" "$@"
fi
if [ -n "${BASH_VERSION:-}" ]; then
	log() {
		TZ=UTC0 printf 'LIMA %(%Y-%m-%dT%H:%M:%SZ)T| %s\n' -1 "$*"
	}
else
	log() {
		printf 'LIMA %s| %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
	}
fi

# The host agent follows the guest's console to show where the boot is
# (core/hostagent/boot_phases.ts); these lines are its markers for the boot scripts.
console_marker() {
	printf 'LIMA| %s\n' "$*" >/dev/console 2>/dev/null || :
}
console_marker "boot scripts started"

# A root file system without a free block breaks every step that writes; the host agent ends the
# boot naming it, instead of waiting for steps that cannot finish. Free blocks count those
# reserved for root, which the boot can still use.
disk_full_marker() {
	# shellcheck disable=SC2046 # the two numbers are meant to be split
	set -- $(stat -f -c '%f %S' / 2>/dev/null)
	[ $# -eq 2 ] && [ "$(($1 * $2))" -lt 1048576 ] || return 0
	console_marker "disk full: / has $(($1 * $2)) bytes free"
}
disk_full_marker

: "${LIMA_CIDATA_MNT:=/mnt/lima-cidata}"
export LIMA_CIDATA_MNT

RUN=/run
[ -d "$RUN" ] || RUN=/var/run
rm -f "$RUN/lima-boot-done" "$RUN/lima-reboot-required" "$RUN/lima-provision-errors"
LIMA_REBOOT_REQUIRED=$RUN/lima-reboot-required
export LIMA_REBOOT_REQUIRED

# Exports one KEY=value entry; names a shell cannot export are skipped, not fatal.
export_entry() {
	case $1 in
	*=*) ;;
	*) return 0 ;;
	esac
	case ${1%%=*} in
	"" | [0-9]* | *[!A-Za-z0-9_]*)
		log "WARNING: Ignoring environment entry with an invalid name: ${1%%=*}"
		return 0
		;;
	esac
	export "$1"
}

# lima.env and param.env are generated: one KEY=value per line, taken literally.
load_plain() {
	[ -f "$1" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] && export_entry "$line"
	done <"$1"
}

# etc_environment follows pam_env: leading blanks and "export " are dropped, '#' ends the
# entry, and one pair of surrounding quotes around the value is removed.
load_pam_env() {
	[ -f "$1" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=${line#"${line%%[! 	]*}"}
		case $line in
		export\ *) line=${line#export } ;;
		esac
		case $line in
		*=*) ;;
		*) continue ;;
		esac
		key=${line%%=*}
		value=${line#*=}
		case $value in
		\"*) value=${value#\"} && value=${value%\"} ;;
		\'*) value=${value#\'} && value=${value%\'} ;;
		esac
		export_entry "$key=$value"
	done <"$1"
}

load_plain "$LIMA_CIDATA_MNT/lima.env"
load_plain "$LIMA_CIDATA_MNT/param.env"
load_pam_env "$LIMA_CIDATA_MNT/etc_environment"

PATH=$LIMA_CIDATA_MNT/util:$PATH
export PATH

CODE=0
OS=$(uname -s)

run_dir() {
	for script in "$1"/*.sh; do
		[ -f "$script" ] || continue
		log "Executing $script"
		if ! "$script"; then
			log "WARNING: Failed to execute $script"
			CODE=1
		fi
	done
}

run_dir "$LIMA_CIDATA_MNT/boot.essential.$OS"
if [ "${LIMA_CIDATA_PLAIN:-}" = 1 ]; then
	log "Plain mode. Skipping to run boot scripts. Provisioning scripts will be still executed."
else
	run_dir "$LIMA_CIDATA_MNT/boot.$OS"
fi

# Runs a command as the guest user, or as root when sudo is missing or refuses.
as_user() {
	if command -v sudo >/dev/null 2>&1 && sudo -u "$1" -- true 2>/dev/null; then
		user=$1
		shift
		sudo -u "$user" -- "$@"
	else
		shift
		"$@"
	fi
}

# Looks up LIMA_CIDATA_<KIND>_<ID>_<FIELD>; ids are digits only, which keeps eval safe.
seed_var() {
	eval "printf '%s' \"\${LIMA_CIDATA_$1_$2_$3:-}\""
}

for mode in data yq system user; do
	if [ -d "$LIMA_CIDATA_MNT/provision.$mode" ]; then
		wait_provision_ready.sh
		break
	fi
done

for f in "$LIMA_CIDATA_MNT"/provision.data/*; do
	[ -f "$f" ] || continue
	id=${f##*/}
	case $id in *[!0-9]*) continue ;; esac
	path=$(seed_var DATAFILE "$id" PATH)
	owner=$(seed_var DATAFILE "$id" OWNER)
	if [ -e "$path" ] && [ "$(seed_var DATAFILE "$id" OVERWRITE)" = false ]; then
		log "Not overwriting existing $path"
		continue
	fi
	log "Writing $path"
	# New directories belong to the owner where sudo allows; root makes what is left.
	dir=$(dirname "$path")
	[ -d "$dir" ] || as_user "${owner%%:*}" mkdir -p "$dir" 2>/dev/null || :
	if ! provision_run.sh "provision[$((1$id - 100000000))] (mode: data)" \
		sh -c 'mkdir -p "$5" && cp "$1" "$2" && chown "$3" "$2" && chmod "$4" "$2"' sh \
		"$f" "$path" "$owner" "$(seed_var DATAFILE "$id" PERMISSIONS)" "$dir"; then
		log "WARNING: Failed to write $path"
		CODE=1
	fi
done

# The format of a yq edit: the configured one, else the file extension, else yaml.
yq_format() {
	if [ "$1" != auto ]; then
		echo "$1"
		return
	fi
	case ${2##*.} in
	csv | ini | json | properties | toml | tsv | xml | yaml) echo "${2##*.}" ;;
	yml) echo yaml ;;
	*)
		log "WARNING: Cannot tell the format of $2 from its name; using yaml" >&2
		echo yaml
		;;
	esac
}

# Reports a provision that cannot run at all the way provision_run.sh reports failures.
provision_refused() {
	provision_run.sh "$1" sh -c 'echo "$1" >&2; exit 1' sh "$2" >/dev/null || :
	log "WARNING: $2"
	CODE=1
}

# yq provisions: mikefarah's yq (the one Lima embeds) evaluates them when the guest has it
# (other programs named yq take other flags); otherwise the host agent does, over SSH, with
# limactl's yq. Each file is staged in $YQ_DIR as ID.FORMAT (an empty ID.FORMAT.new when it does
# not exist yet); the answer is ID.out, or ID.err saying why not, and the host agent writes the
# instance id to $YQ_DIR/done once it has answered (core/hostagent/guest_yq.ts). The results are
# installed here, before the system provisions, which may rely on them.
YQ_DIR=$RUN/lima-yq
YQ_WAIT_SECONDS=300

# Stages the file of yq provision ID with expression file F, and evaluates it at once when the
# guest has mikefarah's yq.
yq_stage() {
	id=$1
	f=$2
	path=$(seed_var YQ_PROVISION "$id" PATH)
	format=$(yq_format "$(seed_var YQ_PROVISION "$id" FORMAT)" "$path")
	staged=$YQ_DIR/$id.$format
	if ! [ -e "$path" ]; then
		: >"$staged.new"
		set -- --null-input
	elif cp "$path" "$staged" 2>"$YQ_DIR/$id.err"; then
		rm -f "$YQ_DIR/$id.err"
		chown "$LIMA_CIDATA_USER" "$staged" || :
		set -- --input-format "$format" "$staged"
	else
		return 0
	fi
	[ "$guest_yq" = true ] || return 0
	yq --from-file "$f" --output-format "$format" "$@" >"$YQ_DIR/$id.out" 2>"$YQ_DIR/$id.err" ||
		rm -f "$YQ_DIR/$id.out"
}

# Asks the host agent for the answers and waits for them, at most YQ_WAIT_SECONDS.
yq_wait_for_host() {
	printf '%s\n' "$LIMA_CIDATA_IID" >"$YQ_DIR/ready"
	log "Waiting for the host agent to evaluate the yq provisions"
	i=0
	while [ "$i" -lt $((YQ_WAIT_SECONDS * 5)) ]; do
		seen=
		{ read -r seen <"$YQ_DIR/done"; } 2>/dev/null || :
		[ "$seen" = "$LIMA_CIDATA_IID" ] && return 0
		i=$((i + 1))
		sleep 0.2
	done
}

# Installs the answer for yq provision ID with its owner and permissions.
yq_install() {
	name="provision[$((1$1 - 100000000))] (mode: yq)"
	path=$(seed_var YQ_PROVISION "$1" PATH)
	owner=$(seed_var YQ_PROVISION "$1" OWNER)
	user=${owner%%:*}
	out=$YQ_DIR/$1.out
	if ! [ -f "$out" ]; then
		if [ -s "$YQ_DIR/$1.err" ]; then
			provision_refused "$name" "$(cat "$YQ_DIR/$1.err")"
		else
			provision_refused "$name" "Cannot edit $path: the host agent did not answer within ${YQ_WAIT_SECONDS}s"
		fi
		return 0
	fi
	log "Editing $path with yq"
	if [ -e "$path" ]; then
		if ! as_user "$user" test -w "$path"; then
			provision_refused "$name" "Cannot edit $path: it is not writable by $user"
			return 0
		fi
		provision_run.sh "$name" cp "$out" "$path" || {
			log "WARNING: Failed to edit $path"
			CODE=1
			return 0
		}
	else
		dir=$(dirname "$path")
		[ -d "$dir" ] || as_user "$user" mkdir -p "$dir" 2>/dev/null || :
		provision_run.sh "$name" sh -c 'mkdir -p "$1" && cp "$2" "$3"' sh "$dir" "$out" "$path" || {
			rm -f "$path"
			log "WARNING: Failed to create $path"
			CODE=1
			return 0
		}
	fi
	chown "$owner" "$path" && chmod "$(seed_var YQ_PROVISION "$1" PERMISSIONS)" "$path" || CODE=1
}

if [ -d "$LIMA_CIDATA_MNT/provision.yq" ]; then
	rm -rf "$YQ_DIR"
	mkdir -m 700 "$YQ_DIR"
	# The host agent logs in as the user.
	chown "$LIMA_CIDATA_USER" "$YQ_DIR" || :
	guest_yq=false
	if command -v yq >/dev/null 2>&1 && yq --version 2>&1 | grep -q mikefarah; then
		guest_yq=true
	fi
	for f in "$LIMA_CIDATA_MNT"/provision.yq/*; do
		[ -f "$f" ] || continue
		id=${f##*/}
		case $id in *[!0-9]*) continue ;; esac
		yq_stage "$id" "$f"
	done
	[ "$guest_yq" = true ] || yq_wait_for_host
	for f in "$LIMA_CIDATA_MNT"/provision.yq/*; do
		[ -f "$f" ] || continue
		id=${f##*/}
		case $id in *[!0-9]*) continue ;; esac
		yq_install "$id"
	done
	rm -rf "$YQ_DIR"
fi

for f in "$LIMA_CIDATA_MNT"/provision.system/*; do
	[ -f "$f" ] || continue
	log "Executing $f"
	if ! provision_run.sh "provision[$((1${f##*/} - 100000000))] (mode: system)" "$f"; then
		log "WARNING: Failed to execute $f"
		CODE=1
	fi
done

USER_SCRIPT=$LIMA_CIDATA_HOME/.lima-user-script
if ls "$LIMA_CIDATA_MNT"/provision.user/* >/dev/null 2>&1; then
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		# User scripts may use the user's systemd instance (rootless containers, dbus).
		i=0
		until [ -e "/run/user/$LIMA_CIDATA_UID/systemd/private" ] || [ "$i" -ge 60 ]; do
			i=$((i + 1))
			sleep 1
		done
	fi
	params=$(env | sed -n 's/^\(PARAM_[A-Za-z0-9_]*\)=.*/\1/p' | tr '\n' ,)
	params=${params%,}
	for f in "$LIMA_CIDATA_MNT"/provision.user/*; do
		[ -f "$f" ] || continue
		log "Executing $f (as user $LIMA_CIDATA_USER)"
		if ! install -m 0755 -o "$LIMA_CIDATA_USER" "$f" "$USER_SCRIPT"; then
			log "WARNING: Failed to install $f as $USER_SCRIPT"
			CODE=1
			continue
		fi
		if ! provision_run.sh "provision[$((1${f##*/} - 100000000))] (mode: user)" \
			sudo -iu "$LIMA_CIDATA_USER" ${params:+"--preserve-env=$params"} \
			"XDG_RUNTIME_DIR=/run/user/$LIMA_CIDATA_UID" "$USER_SCRIPT"; then
			log "WARNING: Failed to execute $f (as user $LIMA_CIDATA_USER)"
			CODE=1
		fi
		rm -f "$USER_SCRIPT"
	done
fi

if [ "${LIMA_CIDATA_PASSWORDLESS_SUDO:-}" != 1 ] && ! [ -e "$LIMA_CIDATA_HOME/.lima-password-set" ]; then
	password=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	if printf '%s:%s\n' "$LIMA_CIDATA_USER" "$password" | chpasswd; then
		(
			umask 077
			printf '%s\n' "$password" >"$LIMA_CIDATA_HOME/password"
		)
		chown "$LIMA_CIDATA_USER" "$LIMA_CIDATA_HOME/password"
		touch "$LIMA_CIDATA_HOME/.lima-password-set"
		log "The password of $LIMA_CIDATA_USER is in $LIMA_CIDATA_HOME/password"
	else
		log "WARNING: Failed to set the password of $LIMA_CIDATA_USER"
		CODE=1
	fi
fi

if [ -e "$LIMA_REBOOT_REQUIRED" ]; then
	log "Rebooting to finish the boot scripts; the boot is not done yet"
else
	printf '%s\n' "$LIMA_CIDATA_IID" >"$RUN/lima-boot-done"
	log "Boot done"
	console_marker "boot scripts finished"
fi
exit "$CODE"
