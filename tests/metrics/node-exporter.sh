#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe metrics --textfile DIR read by a real node_exporter (Debian
# package prometheus-node-exporter) started here with only its textfile
# collector on DIR, listening on a free loopback port: the scrape holds
# the procexe_* series with the values of the file, the planted deleted
# executable counted, and node_textfile_scrape_error 0.  As root, the
# planted process sits in a unit whose name has a quote, a backslash, ESC
# and 0xff, and node_exporter's own parser takes that series too.  A
# rewrite while node_exporter runs is what the next scrape shows.
. "$(dirname "$0")/metrics-lib.sh"

NE=$(command -v prometheus-node-exporter || command -v node_exporter) ||
	skip_all "no prometheus-node-exporter"

plan 10

D=$T/d
TF=$T/textfile
mkdir "$D" "$TF"
started=1
plant_deleted "$D" pe-m-ne && P=$FIXTURE_PID || started=0
fixtures_started "a deleted executable running"

UNIT=
if [ -n "$CG_ROOT" ]; then
	UNIT=$'pe-m"q\\b\e[31m\xff'-$$-$RANDOM.service
	cg_move "$P" "$UNIT" || UNIT=
fi

metrics "$T/first" --textfile "$TF"
is "$RS_RC:$(ls -A "$TF")" "1:procexe.prom" "--textfile: status 1, DIR holds procexe.prom only"

# free_port: a TCP port on 127.0.0.1 nothing listens on (just now)
free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start node_exporter; a port taken between free_port and its bind: retry
URL=
for attempt in 1 2 3; do
	port=$(free_port)
	spawn "$T/ne.$attempt.out" "$NE" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$TF" --web.listen-address="127.0.0.1:$port"
	NEPID=$SPAWNED
	for ((i = 0; i < 250; i++)); do        # 10 s at most
		if prom fetch "http://127.0.0.1:$port/metrics" "$T/scrape" 2>/dev/null; then
			URL=http://127.0.0.1:$port/metrics
			break 2
		fi
		kill -0 "$NEPID" 2>/dev/null || break
		sleep 0.04
	done
	kill_tracked "$NEPID"
done
if [ -z "$URL" ]; then
	nok "node_exporter answers on loopback" "$(tail -n 5 "$T"/ne.*.out "$T/stderr.log")"
	skip_rest "scrape" "node_exporter did not start"
	exit 0
fi
ok "node_exporter answers on $URL"

value_is "node_textfile_scrape_error 0" "$T/scrape" 0 node_textfile_scrape_error
value_is "the scrape holds procexe_info with the version" "$T/scrape" 1 procexe_info \
	version="$("$PROCEXE" -V | cut -d' ' -f2)"
value_ge "the scrape counts the deleted executable" "$T/scrape" 1 \
	procexe_restart_processes reason=deleted type=exe
is "$(prom get "$T/scrape" procexe_processes state=ok)" \
	"$(prom get "$TF/procexe.prom" procexe_processes state=ok)" \
	"the scrape's values are the file's (processes in state ok)"
if [ -n "$UNIT" ]; then
	label=$("$PROCEXE" restart -r -n -o GROUP "$P" 2>/dev/null | head -n 1)
	value_is "the hostile unit's series parsed by node_exporter" "$T/scrape" 1 \
		procexe_restart_group_processes group_type=unit group="$label"
else
	skip "the hostile unit's series" "no writable cgroup hierarchy (needs root)"
fi

# a new file while node_exporter runs: the next scrape reads it whole
kill_tracked "$P"
wait "$P" 2>/dev/null
metrics "$T/second" --textfile "$TF"
prom fetch "$URL" "$T/scrape2"
value_is "after a rewrite: node_textfile_scrape_error 0" "$T/scrape2" 0 node_textfile_scrape_error
# as numbers: node_exporter reformats the value (0.012340000 -> 0.01234)
scraped=$(prom get "$T/scrape2" procexe_scan_duration_seconds)
written=$(prom get "$TF/procexe.prom" procexe_scan_duration_seconds)
check "after a rewrite: the scrape shows the new file ($scraped, $written)" \
	awk -v a="$scraped" -v b="$written" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'
