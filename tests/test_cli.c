/*
 * test_cli.c - the scsinet command end to end, as a user runs it: shipped
 * scenarios run through the CLI, results.json read back (cJSON) and
 * asserted on (delivered counts, the ledger, no checker findings,
 * throughput ordering: wide beats narrow, a larger MTU beats a smaller);
 * determinism (two runs, the same bytes); bad input gives exit 2 and a
 * message naming the file and the JSON path.
 *
 * SCSINET_CLI is the binary of this build (the Makefile passes it, so a
 * sanitizer build tests its own CLI).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"

#ifndef SCSINET_CLI
#define SCSINET_CLI "build/scsinet"
#endif

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Run the CLI with `args`; returns its exit status; stderr into *err
 * (malloc'ed) if err is not NULL. */
static int cli(const char *args, char **err)
{
	char errf[] = "/tmp/scsinet_cli_err_XXXXXX";
	int fd = mkstemp(errf);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>%s", SCSINET_CLI, args,
		 errf);
	int st = system(cmd);
	if (err)
		*err = slurp(errf);
	unlink(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *tmpdir(void)
{
	static char dir[64];
	snprintf(dir, sizeof dir, "/tmp/scsinet_cli_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static void rmtree(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(cJSON_IsNumber(v), "no number %s", key);
	return v->valuedouble;
}

START_TEST(run_two_hosts_deterministic)
{
	char *d = tmpdir(), args[512], path[256];
	char *text[2];
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof args,
			 "run scenarios/two-hosts-ping.json --check --out %s/%d",
			 d, i);
		ck_assert_int_eq(cli(args, NULL), 0);
		snprintf(path, sizeof path, "%s/%d/results.json", d, i);
		text[i] = slurp(path);
		ck_assert_ptr_nonnull(text[i]);
	}
	ck_assert_str_eq(text[0], text[1]);
	cJSON *r = cJSON_Parse(text[0]);
	ck_assert_ptr_nonnull(r);
	const cJSON *t = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(r, "traffic"), 0);
	ck_assert_int_eq((int)num(t, "sent"), 5);
	ck_assert_int_eq((int)num(t, "received"), 5);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "conservation");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c,
								 "balanced")));
	ck_assert_int_eq((int)num(c, "in_flight"), 0);
	const cJSON *b = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(r, "buses"), 0);
	ck_assert_int_eq((int)num(b, "checker_violations"), 0);
	/* what crossed the bus in DATA phases, counted by the adapters'
	 * chips: the address-resolution request and reply (18 bytes each,
	 * RFC 2143 over SCSI IDs) and five 84-byte echo requests and
	 * replies */
	ck_assert_int_eq((int)num(b, "data_bytes"), 2 * 18 + 10 * 84);
	cJSON_Delete(r);
	free(text[0]);
	free(text[1]);
	rmtree(d);
}
END_TEST

/* The checker's findings are listed, not only counted: course 4 sends
 * one byte with bad parity, and the run says when and which rule; the
 * finding is the injected fault's, so the run still succeeds. */
START_TEST(checker_findings_listed)
{
	char *d = tmpdir(), path[256], out[300];
	snprintf(out, sizeof out, "%s/summary.txt", d);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s run scenarios/course-4-parity.json "
		 "--check --out %s >%s 2>/dev/null", SCSINET_CLI, d, out);
	int st = system(cmd);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* injected */
	char *text = slurp(out);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "s  parity error at ACK in DATA OUT") !=
			      NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "[injected: parity-0]") != NULL &&
			      strstr(text, "findings of injected faults") !=
				      NULL &&
			      strstr(text, "PROTOCOL VIOLATIONS") == NULL,
		      "%s", text);
	free(text);
	snprintf(path, sizeof path, "%s/results.json", d);
	text = slurp(path);
	cJSON *r = cJSON_Parse(text);
	ck_assert_ptr_nonnull(r);
	const cJSON *b = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(r, "buses"), 0);
	ck_assert_int_eq((int)num(b, "checker_violations"), 1);
	ck_assert_int_eq((int)num(b, "checker_model_violations"), 0);
	const cJSON *f = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(b, "checker_findings"), 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "rule")
				 ->valuestring,
			 "parity");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "fault")
				 ->valuestring,
			 "parity-0");
	/* the fault fires on a byte after 5 ms */
	ck_assert(num(f, "time_s") > 0.005 && num(f, "time_s") < 0.06);
	cJSON_Delete(r);
	free(text);
	rmtree(d);
}
END_TEST

/* A full disk: with a file size limit (SIGXFSZ ignored, so writes fail
 * with EFBIG as on a full disk) gnuplot exits 0 leaving graphs cut short;
 * run reads each back, names it, and exits 1.  Without the limit the
 * same run succeeds. */
START_TEST(full_disk_fails_the_run)
{
	char *d = tmpdir(), out[300], cmd[1024];
	snprintf(out, sizeof out, "%s/err.txt", d);
	snprintf(cmd, sizeof cmd, "ulimit -f 8; trap '' XFSZ; %s run "
		 "scenarios/two-hosts-ping.json --out %s/r >/dev/null 2>%s",
		 SCSINET_CLI, d, out);
	int st = system(cmd);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	char *text = slurp(out);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "graphs/bus-utilisation.png: not a whole "
				   "PNG") != NULL ||
			      strstr(text, "cannot write") != NULL,
		      "%s", text);
	free(text);
	snprintf(cmd, sizeof cmd, "%s run scenarios/two-hosts-ping.json "
		 "--out %s/ok >/dev/null 2>&1", SCSINET_CLI, d);
	st = system(cmd);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rmtree(d);
}
END_TEST

/* --vcd FILE comes with FILE.gtkw, one group per bus, naming the VCD. */
START_TEST(vcd_comes_with_gtkw)
{
	char *d = tmpdir(), args[512], path[300];
	snprintf(args, sizeof args, "run scenarios/course-6-gateway.json "
		 "--duration 5ms --out %s --vcd %s/t.vcd", d, d);
	ck_assert_int_eq(cli(args, NULL), 0);
	snprintf(path, sizeof path, "%s/t.vcd.gtkw", d);
	char *text = slurp(path);
	ck_assert_ptr_nonnull(text);
	char want[320];
	snprintf(want, sizeof want, "[dumpfile] \"%s/t.vcd\"", d);
	ck_assert_msg(strstr(text, want) != NULL, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\n-left\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n-right\n"));
	ck_assert_ptr_nonnull(strstr(text, "right.phase"));
	free(text);
	/* GTKWave itself (under a virtual display) opens the pair and shows
	 * every signal the save file lists: names it cannot match would be
	 * dropped silently */
	if (system("command -v xvfb-run >/dev/null 2>&1 && "
		   "command -v gtkwave >/dev/null 2>&1") == 0) {
		snprintf(path, sizeof path, "%s/list.tcl", d);
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs("puts \"SHOWN: [gtkwave::getDisplayedSignals]\"\n"
		      "gtkwave::/File/Quit\n", f);
		fclose(f);
		char cmd[1200];
		snprintf(cmd, sizeof cmd,
			 "timeout 120 xvfb-run -a gtkwave -S %s %s/t.vcd "
			 "%s/t.vcd.gtkw >%s/gtkwave.txt 2>&1",
			 path, d, d, d);
		ck_assert_int_eq(system(cmd), 0);
		snprintf(path, sizeof path, "%s/gtkwave.txt", d);
		text = slurp(path);
		ck_assert_ptr_nonnull(text);
		static const char *const shown[] = {
			"left.BSY", "left.DB[7:0]", "left.DBP", "left.phase",
			"right.REQ", "right.ACK", "right.DB[7:0]",
			"right.phase",
		};
		for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
			ck_assert_msg(strstr(text, shown[i]) != NULL,
				      "GTKWave does not show %s: %s", shown[i],
				      text);
		free(text);
	}
	rmtree(d);
}
END_TEST

/* Course 7: a station without a free buffer disconnects and reselects;
 * the narration tells each step, the checker finds nothing wrong, both
 * datagrams arrive, and without target_disconnect the same second
 * command is answered BUSY instead. */
START_TEST(course_disconnect_reselect)
{
	char *d = tmpdir(), out[300], cmd[1024];
	snprintf(out, sizeof out, "%s/n.txt", d);
	snprintf(cmd, sizeof cmd, "%s run scenarios/course-7-disconnect.json "
		 "--check --narrate --out %s/a >%s 2>/dev/null", SCSINET_CLI,
		 d, out);
	ck_assert_int_eq(system(cmd), 0);
	char *text = slurp(out);
	ck_assert_ptr_nonnull(text);
	static const char *const want[] = {
		"MESSAGE IN  DISCONNECT",
		"RESELECTION: 0 reconnects to 1 (5.1.4)",
		"MESSAGE IN  IDENTIFY (LUN 0)",
		"from-h1          udp        h1 -> sink: 1/1 received",
		"from-h2          udp        h2 -> sink: 1/1 received",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "missing: %s",
			      want[i]);
	ck_assert_ptr_null(strstr(text, "BUSY"));
	free(text);
	snprintf(cmd, sizeof cmd, "%s run scenarios/course-7-disconnect.json "
		 "--narrate=commands --set "
		 "'hosts[0].adapters[0].target_disconnect=false' --out %s/b "
		 ">%s 2>/dev/null", SCSINET_CLI, d, out);
	ck_assert_int_eq(system(cmd), 0);
	text = slurp(out);
	ck_assert_ptr_nonnull(strstr(text, "(IPv4): BUSY, 0 data transfers"));
	ck_assert_ptr_null(strstr(text, "DISCONNECT"));
	free(text);
	rmtree(d);
}
END_TEST

/* --scsi-pcapng: tshark reads the capture (its pcapng reader, and our
 * Lua dissector of the draft's frame, viz/parallel_scsi.lua).  On course
 * 6's two buses: one interface per bus, named; every SEND MESSAGE(10) is
 * followed on its bus by a DATA OUT of the length its CDB gives, then
 * STATUS GOOD; and those DATA OUT frames are, in number and length, the
 * datagrams the hosts received (the IP capture, an independent path). */
START_TEST(scsi_pcapng_read_back)
{
	char *d = tmpdir(), cmd[1400], path[300];
	snprintf(cmd, sizeof cmd, "%s run scenarios/course-6-gateway.json "
		 "--out %s --scsi-pcapng %s/s.pcapng --pcap %s/ip.pcap "
		 ">/dev/null 2>&1", SCSINET_CLI, d, d, d);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd,
		 "tshark -X lua_script:viz/parallel_scsi.lua -r %s/s.pcapng "
		 "-T fields -E separator=, -e frame.interface_id "
		 "-e frame.interface_name -e pscsi.type -e pscsi.orig "
		 "-e pscsi.dest -e pscsi.data_len -e pscsi.cdb.send_length "
		 "-e pscsi.status >%s/f.txt 2>%s/err.txt",
		 d, d, d);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/f.txt", d);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char line[256];
	int n = 0, want_len[2] = { -1, -1 }, want_status[2] = { 0, 0 };
	int data_frames = 0, names = 0;
	long data_bytes = 0;
	while (fgets(line, sizeof line, f)) {
		int ifc = -1, orig = -1, dest = -1, len = -1, sm = -1, st = -1;
		unsigned type = 0;
		char name[32] = "";
		/* empty fields (no CDB length, no status) read as -1 */
		char *fld[8] = { 0 };
		char *p = line;
		for (int k = 0; k < 8; k++) {
			fld[k] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
			else
				break;
		}
		ck_assert_ptr_nonnull(fld[7]);
		fld[7][strcspn(fld[7], "\n")] = '\0';
		ifc = atoi(fld[0]);
		snprintf(name, sizeof name, "%s", fld[1]);
		type = (unsigned)strtoul(fld[2], NULL, 0);
		orig = atoi(fld[3]);
		dest = atoi(fld[4]);
		len = atoi(fld[5]);
		sm = *fld[6] ? atoi(fld[6]) : -1;
		st = *fld[7] ? (int)strtol(fld[7], NULL, 0) : -1;
		ck_assert(ifc == 0 || ifc == 1);
		ck_assert_str_eq(name, ifc ? "right" : "left");
		names++;
		if (type == 0x00 && sm >= 0) { /* SEND MESSAGE(10) */
			ck_assert_int_eq(want_len[ifc], -1);
			want_len[ifc] = sm;
		} else if (type == 0x02) {     /* DATA OUT */
			ck_assert_int_eq(len, want_len[ifc]);
			want_len[ifc] = -1;
			want_status[ifc] = 1;
			data_frames++;
			data_bytes += len;
		} else if (type == 0x06) {     /* STATUS */
			ck_assert_int_eq(st, 0);
			ck_assert_int_eq(want_status[ifc], 1);
			want_status[ifc] = 0;
		}
		ck_assert(orig >= 0 && orig <= 7);
		ck_assert(dest >= 0 && dest <= 255);
		n++;
	}
	fclose(f);
	ck_assert_int_gt(n, 50);
	ck_assert_int_eq(names, n);
	/* the IP capture: the same datagrams */
	snprintf(cmd, sizeof cmd, "tshark -r %s/ip.pcap -T fields -e frame.len "
		 "2>/dev/null | awk '{ n++; s += $1 - 20 } END { print n, s }' "
		 ">%s/ip.txt", d, d);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/ip.txt", d);
	char *ip = slurp(path);
	int ip_frames = 0;
	long ip_bytes = 0;
	ck_assert_int_eq(sscanf(ip, "%d %ld", &ip_frames, &ip_bytes), 2);
	free(ip);
	ck_assert_int_eq(data_frames, ip_frames);
	ck_assert_int_eq(data_bytes, ip_bytes); /* SLL2 header: 20 bytes */
	/* a wide bus and an odd-length datagram: each transfer is a word,
	 * DB(7-0) first; the DATA OUT frame holds the datagram's bytes in
	 * order and, last, the pad byte of its final word */
	snprintf(path, sizeof path, "%s/w.json", d);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{ \"name\": \"w\", \"duration\": \"1.1s\", \"buses\": [ { "
	      "\"name\": \"fw\", \"width\": \"wide\", \"speed\": \"fast\" "
	      "} ], \"hosts\": [ { \"name\": \"a\", \"adapters\": [ { "
	      "\"bus\": \"fw\", \"id\": 1, \"profile\": \"pci-fw\", "
	      "\"ip\": \"10.0.0.1/24\" } ] }, { \"name\": \"b\", "
	      "\"adapters\": [ { \"bus\": \"fw\", \"id\": 0, \"profile\": "
	      "\"pci-fw\", \"ip\": \"10.0.0.2/24\" } ] } ], \"traffic\": [ "
	      "{ \"type\": \"udp\", \"from\": \"a\", \"to\": \"b\", "
	      "\"count\": 2, \"size\": 101, \"rate\": 100, \"start\": "
	      "\"1s\" } ] }\n", f);
	fclose(f);
	snprintf(cmd, sizeof cmd,
		 "%s run %s/w.json --out %s/w --scsi-pcapng %s/w.pcapng "
		 ">/dev/null 2>&1 && tshark -X "
		 "lua_script:viz/parallel_scsi.lua -r %s/w.pcapng -Y "
		 "'pscsi.type == 2' -T fields -e pscsi.data >%s/ws.txt "
		 "2>/dev/null",
		 SCSINET_CLI, d, d, d, d, d);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/ws.txt", d);
	char *ws = slurp(path);
	ck_assert_ptr_nonnull(ws);
	/* two ARP frames (18 bytes), then the two 129-byte datagrams: 65
	 * words, 130 bytes, starting with the IPv4 header 45 00 00 81 */
	int nframes = 0, odd = 0;
	for (char *q = strtok(ws, "\n"); q; q = strtok(NULL, "\n")) {
		nframes++;
		size_t hex = strlen(q);
		if (hex == 2 * 130) {
			ck_assert_msg(strncmp(q, "45000081", 8) == 0, "%s", q);
			odd++;
		} else {
			ck_assert_uint_eq(hex, 2 * 18);
		}
	}
	ck_assert_int_eq(nframes, 4);
	ck_assert_int_eq(odd, 2);
	free(ws);
	/* the same run twice: the same bytes */
	snprintf(cmd, sizeof cmd, "%s run scenarios/course-6-gateway.json "
		 "--out %s --scsi-pcapng %s/t.pcapng >/dev/null 2>&1 && cmp -s "
		 "%s/s.pcapng %s/t.pcapng", SCSINET_CLI, d, d, d, d);
	ck_assert_int_eq(system(cmd), 0);
	rmtree(d);
}
END_TEST

/* The goodput of each flow of a scenario, by label. */
static double goodput(const cJSON *r, const char *label)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r, "traffic")) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(t, "label");
		if (cJSON_IsString(l) && strcmp(l->valuestring, label) == 0)
			return num(t, "goodput_bytes_per_s");
	}
	ck_abort_msg("no flow %s", label);
	return 0;
}

/* Four pairs on four buses, one run: narrow and wide Fast buses at MTU
 * 65535, and wide buses at MTU 576 and 1500.  The same saturated flow of
 * 16000-byte datagrams on each, from ID 1 to ID 0 (so that address
 * resolution asks nobody absent first). */
START_TEST(throughput_ordering)
{
	char *d = tmpdir(), path[256], args[512];
	snprintf(path, sizeof path, "%s/order.json", d);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{ \"name\": \"order\", \"duration\": \"2s\",\n"
	      "  \"buses\": [\n", f);
	static const char *const buses[4][2] = {
		{ "narrow", "65535" }, { "wide", "65535" },
		{ "wide", "576" }, { "wide", "1500" } };
	for (int i = 0; i < 4; i++)
		fprintf(f, "    { \"name\": \"b%d\", \"width\": \"%s\", "
			   "\"speed\": \"fast\" }%s\n",
			i, buses[i][0], i < 3 ? "," : "");
	fputs("  ],\n  \"hosts\": [\n", f);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 2; k++)
			fprintf(f, "    { \"name\": \"h%d%d\", \"adapters\": [ { "
				   "\"bus\": \"b%d\", \"id\": %d, \"profile\": "
				   "\"pci-fw\", \"ip\": \"10.%d.0.%d/24\", \"mtu\": "
				   "%s } ] }%s\n",
				i, k, i, 1 - k, i + 1, 1 - k, buses[i][1],
				i == 3 && k == 1 ? "" : ",");
	fputs("  ],\n  \"traffic\": [\n", f);
	for (int i = 0; i < 4; i++)
		fprintf(f, "    { \"type\": \"udp\", \"label\": \"f%d\", "
			   "\"from\": \"h%d0\", \"to\": \"h%d1\", \"size\": "
			   "16000, \"rate\": 0, \"window\": 2, \"count\": 100, "
			   "\"start\": \"100ms\" }%s\n",
			i, i, i, i < 3 ? "," : "");
	fputs("  ] }\n", f);
	fclose(f);
	snprintf(args, sizeof args, "run %s --out %s/out", path, d);
	char *err = NULL;
	ck_assert_msg(cli(args, &err) == 0, "%s", err);
	free(err);
	snprintf(path, sizeof path, "%s/out/results.json", d);
	char *text = slurp(path);
	cJSON *r = cJSON_Parse(text);
	ck_assert_ptr_nonnull(r);
	double narrow = goodput(r, "f0"), wide = goodput(r, "f1");
	double mtu576 = goodput(r, "f2"), mtu1500 = goodput(r, "f3");
	/* wide moves two bytes per REQ/ACK */
	ck_assert_msg(wide > 1.6 * narrow, "wide %g narrow %g", wide, narrow);
	/* fragments cost a command each (selection, CDB, status) */
	ck_assert_msg(mtu1500 > mtu576, "1500 %g 576 %g", mtu1500, mtu576);
	ck_assert_msg(wide > mtu1500, "65535 %g 1500 %g", wide, mtu1500);
	cJSON_Delete(r);
	free(text);
	rmtree(d);
}
END_TEST

/* Bad input: exit 2, the message names the file and the JSON path. */
START_TEST(bad_input_exit_2)
{
	char *d = tmpdir(), path[256], args[512];
	snprintf(path, sizeof path, "%s/bad.json", d);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{ \"buses\": [ { \"name\": \"b\" } ], \"hosts\": [ { \"name\": "
	      "\"h\", \"adapters\": [ { \"bus\": \"b\", \"id\": 12, \"ip\": "
	      "\"10.0.0.1/24\" } ] } ] }\n", f);
	fclose(f);
	char *err = NULL;
	snprintf(args, sizeof args, "run %s --out %s/o", path, d);
	ck_assert_int_eq(cli(args, &err), 2);
	ck_assert_msg(strstr(err, "bad.json: hosts[0].adapters[0].id: 12 is "
				  "out of range") != NULL,
		      "%s", err);
	free(err);
	ck_assert_int_eq(cli("run /nonexistent.json", &err), 2);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent.json"));
	free(err);
	ck_assert_int_eq(cli("run scenarios/two-hosts-ping.json --bogus", &err),
			 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown option '--bogus'"));
	free(err);
	ck_assert_int_eq(cli("run scenarios/two-hosts-ping.json --duration "
			     "5parsecs", &err),
			 2);
	free(err);
	ck_assert_int_eq(cli("run scenarios/two-hosts-ping.json --out /tmp "
			     "--scsi-pcapng /nonexistent/dir/x.pcapng", &err),
			 2);
	ck_assert_ptr_nonnull(strstr(err, "--scsi-pcapng /nonexistent/dir/"
					  "x.pcapng: cannot write"));
	free(err);
	ck_assert_int_eq(cli("frobnicate", &err), 2);
	free(err);
	/* check: a file with a planted mistake is 1, not 2 */
	ck_assert_int_eq(cli("check tests/scenarios_bad/broadcast-address.json",
			     NULL),
			 1);
	ck_assert_int_eq(cli("check scenarios/seed-2d.json", NULL), 0);
	rmtree(d);
}
END_TEST

/* `text` without the command's name where a line starts with it
 * ("scsinet check: ", "scsinet run: "), in place. */
static char *unprefixed(char *text)
{
	static const char *const cmd[] = { "scsinet check: ", "scsinet run: " };
	char *w = text;
	for (const char *p = text; *p;) {
		for (int i = 0; i < 2; i++)
			if ((p == text || p[-1] == '\n') &&
			    strncmp(p, cmd[i], strlen(cmd[i])) == 0)
				p += strlen(cmd[i]);
		*w++ = *p++;
	}
	*w = '\0';
	return text;
}

/* One validation (issue 16): `check` refuses (exit 2) exactly what
 * `run` refuses.  Every file of tests/scenarios_bad (mistakes check
 * reports) and tests/scenarios_hostile (inputs that must be refused)
 * through both. */
START_TEST(check_and_run_agree)
{
	char *d = tmpdir(), args[600];
	glob_t g;
	ck_assert_int_eq(glob("tests/scenarios_bad/*.json", 0, NULL, &g), 0);
	ck_assert_int_eq(glob("tests/scenarios_hostile/*.json", GLOB_APPEND,
			      NULL, &g), 0);
	int hostile = 0, refused = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *f = g.gl_pathv[i];
		char *e1 = NULL, *e2 = NULL;
		snprintf(args, sizeof args, "check %s", f);
		int c = cli(args, &e1);
		snprintf(args, sizeof args, "run %s --out %s/%zu", f, d, i);
		int r = cli(args, &e2);
		ck_assert_msg((c == 2) == (r == 2),
			      "%s: check exits %d, run %d:\n%s\n%s", f, c, r,
			      e1, e2);
		if (strstr(f, "_hostile/") != NULL) {
			hostile++;
			ck_assert_msg(c == 2, "%s: check exits %d", f, c);
			/* both say why in the same words: the loader's */
			ck_assert_msg(strcmp(unprefixed(e1),
					     unprefixed(e2)) == 0,
				      "%s:\n%s\n%s", f, e1, e2);
		}
		refused += c == 2;
		free(e1);
		free(e2);
	}
	ck_assert_int_ge(hostile, 20);
	ck_assert_int_ge(refused, hostile + 1); /* via-off-subnet too */
	globfree(&g);
	rmtree(d);
}
END_TEST

/* Item 1 on the command line: inf, nan, 1e400, negative and 2^64-sized
 * values of every numeric option are refused with exit 2, the option
 * named. */
START_TEST(numeric_options_refused)
{
	static const struct {
		const char *args, *want;
	} bad[] = {
		{ "run S --seed inf",
		  "--seed: 'inf' is not a non-negative integer" },
		{ "run S --seed nan", "--seed: 'nan'" },
		{ "run S --seed 1e400", "--seed: '1e400'" },
		{ "run S --seed -1", "--seed: '-1'" },
		{ "run S --seed ' 1'", "--seed: ' 1'" },
		{ "run S --seed 18446744073709551616",
		  "--seed: 18446744073709551616 is out of range "
		  "0..9007199254740992" },
		{ "run S --seed 9007199254740993",
		  "--seed: 9007199254740993 is out of range" },
		{ "run S --duration inf",
		  "--duration: 'inf' is not a duration" },
		{ "run S --duration nan",
		  "--duration: 'nan' is not a duration" },
		{ "run S --duration 1e400s", "--duration: '1e400s'" },
		{ "run S --duration -1s", "--duration: '-1s'" },
		{ "run S --duration 99999999999999999999s",
		  "--duration: '99999999999999999999s' is longer than the "
		  "clock holds" },
		{ "run S --duration 0s", "--duration: 0s is out of range "
					 "1us..100000s" },
		{ "run S --duration 100001s", "--duration: 100001s is out of "
					      "range" },
		{ "view S --snapshot /tmp/x.png --at inf", "--at: 'inf'" },
		{ "view S --at 1e400s", "--at: '1e400s'" },
		{ "view S --at 100001s", "--at: 100001s is out of range "
					 "0s..100000s" },
		{ "view S --at 18446744073709551616ps", "--at: "
			"'18446744073709551616ps' is longer than the clock" },
		{ "view S --window nan", "--window: 'nan'" },
		{ "view S --window 0s",
		  "--window: 0s is out of range 1ns..10s" },
		{ "view S --window 11s", "--window: 11s is out of range" },
		{ "view S --speed 2s", "--speed: 2s is out of range 1ps..1s" },
		{ "view S --speed -1us", "--speed: '-1us'" },
		{ "view S --chart 101s", "--chart: 101s is out of range "
					 "1us..100s" },
		{ "view S --size 64x-64", "--size: '64x-64' is not WxH" },
		{ "view S --size +64x64", "--size: '+64x64'" },
		{ "view S --size ' 64x64'", "--size: ' 64x64'" },
		{ "view S --size 99999999999999999999x64", "--size: " },
		{ "view S --size 8193x64", "--size: '8193x64'" },
		{ "view S --size 64x64x", "--size: '64x64x'" },
		{ "view S --frames 1e400", "--frames: '1e400'" },
		{ "gen grid --rows inf --cols 2", "--rows: 'inf'" },
		{ "gen grid --rows 2 --cols 18446744073709551616",
		  "--cols: 18446744073709551616 is out of range 1..256" },
		{ "gen grid --rows 2 --cols 2 --hosts -1", "--hosts: '-1'" },
		{ "gen hypercube --dim 1e400", "--dim: '1e400'" },
		{ "gen grid --rows 2 --cols 2 --mtu nan", "--mtu: 'nan'" },
		{ "gen grid --rows 2 --cols 2 --seed 18446744073709551616",
		  "--seed: 18446744073709551616 is out of range" },
		{ "gen grid --rows 2 --cols 2 --duration inf",
		  "--duration: 'inf'" },
		{ "gen grid --rows 2 --cols 2 --duration 0s",
		  "--duration: 0s is out of range" },
		{ "gen grid --rows 2 --cols 2 --name 'a b'",
		  "--name: 'a b' is not a name: it holds ' '" },
		{ "gen grid --rows 2 --cols 2 --name ../x",
		  "--name: '../x' is not a name" },
		{ "check S --set 'hosts[1x].name=x'",
		  "hosts[1x].name: --set: [1x] is not an index" },
		{ "run S --set 'hosts[-1].name=x'",
		  "hosts[-1].name: --set: [-1] is not an index" },
		{ "view S --set 'buses[x].width=wide'",
		  "buses[x].width: --set: [x] is not an index" },
		{ "check S --set 'seed=1e400'", "seed: inf is not an integer" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		/* S: the scenario; run writes nowhere it would keep */
		char args[300], *err = NULL;
		const char *a = bad[i].args, *sc = strstr(a, " S ");
		if (sc == NULL)
			snprintf(args, sizeof args, "%s", a);
		else
			snprintf(args, sizeof args,
				 "%.*s scenarios/two-hosts-ping.json%s%s",
				 (int)(sc - a), a,
				 strncmp(a, "run ", 4) == 0
					 ? " --out /tmp/scsinet_cli_never"
					 : "",
				 sc + 2);
		ck_assert_msg(cli(args, &err) == 2, "%s: not exit 2:\n%s", args,
			      err);
		ck_assert_msg(strstr(err, bad[i].want) != NULL,
			      "%s: want \"%s\" in:\n%s", args, bad[i].want,
			      err);
		free(err);
	}
	/* nothing of a refused run was written */
	ck_assert_int_ne(access("/tmp/scsinet_cli_never", F_OK), 0);
}
END_TEST

/* --duration passes on the value it read, not its text: a long way of
 * writing 3.5 ms runs 3.5 ms. */
START_TEST(duration_option_passes_its_value)
{
	char *d = tmpdir(), args[512], path[300];
	snprintf(args, sizeof args,
		 "run scenarios/two-hosts-ping.json --out %s --duration "
		 "0000000000000000000000000000000000000000000000000000000000"
		 "0000003.500000000000000000000000000ms",
		 d);
	char *err = NULL;
	ck_assert_msg(cli(args, &err) == 0, "%s", err);
	free(err);
	snprintf(path, sizeof path, "%s/results.json", d);
	char *text = slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "\"simulated\":\t\"3.5ms\""));
	free(text);
	rmtree(d);
}
END_TEST

/* Teaching mode: the steps in plain words, from the lines alone. */
START_TEST(narrate_tells_the_steps)
{
	char *d = tmpdir(), args[512], out[300];
	snprintf(out, sizeof out, "%s/narration.txt", d);
	snprintf(args, sizeof args,
		 "run scenarios/two-hosts-ping.json --out %s --narrate "
		 "--duration 2100ms >%s", d, out);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", SCSINET_CLI, args);
	ck_assert_int_eq(system(cmd), 0);
	char *text = slurp(out);
	ck_assert_ptr_nonnull(text);
	static const char *const want[] = {
		/* resolution asks ID 0 first: nobody there */
		"SELECTION 7 -> 0: no BSY in 256.20138ms, the selection times "
		"out: nobody is at ID 0 (5.1.3.1)",
		"SELECTION 7 -> 6 with ATN: a MESSAGE OUT follows (5.1.3)",
		"MESSAGE OUT IDENTIFY (LUN 0, may disconnect); SDTR: period "
		"200 ns, offset 8",
		"MESSAGE IN  SDTR: period 200 ns, offset 8",
		"COMMAND     2A 00 00 00 00 01 00 00 12 00: SEND MESSAGE(10), "
		"18 bytes, RFC 2143 type 1 (address resolution)",
		"DATA OUT    18 transfers",
		"STATUS      00 GOOD",
		"MESSAGE IN  COMMAND COMPLETE",
		"SEND MESSAGE(10), 84 bytes, RFC 2143 type 0 (IPv4)",
		"SDTR agreed: 200 ns, offset 8; asked 200 ns, offset 8",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "missing: %s",
			      want[i]);
	free(text);
	/* the edges level measures each timing rule on the bus: the model
	 * keeps SCSI-2's minimums exactly where it should wait them */
	snprintf(out, sizeof out, "%s/edges.txt", d);
	snprintf(cmd, sizeof cmd,
		 "%s run scenarios/course-3-sync-negotiation.json --out %s "
		 "--narrate=edges --duration 2ms >%s 2>/dev/null",
		 SCSINET_CLI, d, out);
	ck_assert_int_eq(system(cmd), 0);
	text = slurp(out);
	ck_assert_ptr_nonnull(text);
	static const char *const rules[] = {
		"rule: SEL after the arbitration's BSY: 2.4us; at least an "
		"arbitration delay (2.4us)",
		"rule: REQ after the phase lines: 400ns; at least a bus "
		"settle delay (400ns)",
		"rule: the target answers SEL with BSY after",
		"rule: SEL released after the answer's BSY:",
		"SDTR agreed: 200 ns, offset 8; asked 100 ns, offset 8",
		"BSY+  DB 0000",
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		ck_assert_msg(strstr(text, rules[i]) != NULL, "missing: %s",
			      rules[i]);
	/* no REQ ever comes sooner than the settle delay allows */
	for (const char *p = text; (p = strstr(p, "REQ after the phase "
						  "lines: ")) != NULL;) {
		p += strlen("REQ after the phase lines: ");
		sim_time_t took;
		char tok[32];
		ck_assert_int_eq(sscanf(p, "%31[^;]", tok), 1);
		ck_assert_int_eq(sim_time_parse(tok, &took), SN_OK);
		ck_assert_uint_ge(took, 400 * SIM_NS);
	}
	free(text);
	ck_assert_int_eq(cli("run scenarios/two-hosts-ping.json --narrate=loud",
			     NULL),
			 2);
	rmtree(d);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, run_two_hosts_deterministic);
	tcase_add_test(tc, throughput_ordering);
	tcase_add_test(tc, bad_input_exit_2);
	tcase_add_test(tc, narrate_tells_the_steps);
	tcase_add_test(tc, checker_findings_listed);
	tcase_add_test(tc, full_disk_fails_the_run);
	tcase_add_test(tc, vcd_comes_with_gtkw);
	tcase_add_test(tc, course_disconnect_reselect);
	tcase_add_test(tc, scsi_pcapng_read_back);
	tcase_add_test(tc, check_and_run_agree);
	tcase_add_test(tc, numeric_options_refused);
	tcase_add_test(tc, duration_option_passes_its_value);
	suite_add_tcase(s, tc);
	return s;
}
