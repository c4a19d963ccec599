/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_lifecycle: call lifecycles between two esp lines in one process
 * (make, offer, answer, connect, drop both ends, deallocate both), as fast
 * as they go, then many calls held connected at once. Prints
 * "name value unit" lines. See bench/README.md for the callgrind recipe.
 *
 * The same lifecycles run a second time with the app's event descriptor
 * quiet (tapix_set_event_quiet): tapi-messages-and-states.md §1 makes the
 * descriptor readable exactly while messages wait, so each burst of
 * messages costs a write and a read of it, and the second rate shows what
 * the lifecycle costs without those two system calls. Their price on the
 * machine is measured too (eventfd_pair_time).
 *
 * Usage: bench_lifecycle [LIFECYCLES [HELD_CALLS]]
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <tapi.h>
#include <tapix/service.h>

static HLINEAPP app;
static HLINE caller, callee;
static unsigned long messages;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, LONG r)
{
	fprintf(stderr, "bench_lifecycle: %s failed: %08x\n", what,
	        (unsigned)r);
	exit(1);
}

/* Drains the queue; returns the callee handle if a new call came. */
static HCALL drain(void)
{
	LINEMESSAGE m;
	HCALL in = 0;

	while (lineGetMessage(app, &m, 0) == 0) {
		messages++;
		if (m.dwMessageID == LINE_APPNEWCALL)
			in = (HCALL)m.dwParam2;
		else if (m.dwMessageID == LINE_REPLY && m.dwParam2 != 0)
			die("a request", (LONG)m.dwParam2);
	}
	return in;
}

/* One call from 100 to 101 brought up to CONNECTED at both ends. */
static void connect_call(HCALL *out, HCALL *in)
{
	LONG r = lineMakeCall(caller, out, "101", 0, NULL);

	if (r < 0)
		die("lineMakeCall", r);
	*in = drain();
	if (!*in)
		die("the offering", 0);
	r = lineAnswer(*in, NULL, 0);
	if (r < 0)
		die("lineAnswer", r);
	drain();
}

static void end_call(HCALL out, HCALL in)
{
	LONG r = lineDrop(out, NULL, 0);

	if (r < 0)
		die("lineDrop", r);
	drain();
	r = lineDrop(in, NULL, 0);
	if (r < 0)
		die("lineDrop", r);
	drain();
	if (lineDeallocateCall(out) || lineDeallocateCall(in))
		die("lineDeallocateCall", 0);
}

static void lifecycles(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		HCALL out, in;

		connect_call(&out, &in);
		end_call(out, in);
	}
}

/* The process's read and write system calls so far (/proc/self/io's
 * syscr + syscw), or -1 where the kernel does not count them. */
static long rw_syscalls(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	long r = -1, w = -1;
	char key[32];
	long v;

	if (!f)
		return -1;
	while (fscanf(f, "%31s %ld", key, &v) == 2) {
		if (strcmp(key, "syscr:") == 0)
			r = v;
		else if (strcmp(key, "syscw:") == 0)
			w = v;
	}
	fclose(f);
	return r < 0 || w < 0 ? -1 : r + w;
}

/* The measured loop (callgrind: --toggle-collect=run_lifecycles). */
void run_lifecycles(unsigned long n);
/* (never inlined: callgrind counts from its entry) */
__attribute__((noinline)) void run_lifecycles(unsigned long n)
{
	lifecycles(n);
}

/* The same with the event descriptor quiet (not in callgrind's count). */
static void run_quiet(unsigned long n)
{
	LONG r = tapix_set_event_quiet(app, TRUE);

	if (r)
		die("tapix_set_event_quiet", r);
	lifecycles(n);
	r = tapix_set_event_quiet(app, FALSE);
	if (r)
		die("tapix_set_event_quiet", r);
}

/* What one write and one read of an eventfd cost here, in nanoseconds:
 * the price of a burst of messages for the event descriptor (raw system
 * calls, as the library makes them: not cancellation points). */
static double eventfd_pair_ns(void)
{
	const unsigned long pairs = 100000;
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t v = 1;
	unsigned long i;
	double t0, t1;

	if (fd < 0)
		die("eventfd", 0);
	t0 = now_s();
	for (i = 0; i < pairs; i++)
		if (syscall(SYS_write, fd, &v, sizeof(v)) != sizeof(v) ||
		    syscall(SYS_read, fd, &v, sizeof(v)) != sizeof(v))
			die("eventfd write and read", 0);
	t1 = now_s();
	close(fd);
	return (t1 - t0) * 1e9 / (double)pairs;
}

int main(int argc, char **argv)
{
	LINEINITIALIZEEXPARAMS p;
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	unsigned long held = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	DWORD ndevs, ver = 0x00020002;
	struct mallinfo2 before, after;
	HCALL *outs, *ins;
	double t0, t1;
	unsigned long i, msgs0;
	long rw0, rw1;
	LONG r;

	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	r = lineInitializeEx(&app, NULL, NULL, "bench", &ndevs, &ver, &p);
	if (r)
		die("lineInitializeEx", r);
	if (ndevs < 2)
		die("two lines", 0);
	r = lineOpen(app, 0, &caller, 0x00020002, 0, 0, LINECALLPRIVILEGE_NONE,
	             0, NULL);
	if (!r)
		r = lineOpen(app, 1, &callee, 0x00020002, 0, 0,
		             LINECALLPRIVILEGE_OWNER,
		             LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
	if (r)
		die("lineOpen", r);

	run_lifecycles(n / 10 + 1); /* warm up the tables */
	msgs0 = messages;
	rw0 = rw_syscalls();
	t0 = now_s();
	run_lifecycles(n);
	t1 = now_s();
	rw1 = rw_syscalls();
	printf("lifecycles %lu count\n", n);
	printf("lifecycle_rate %.0f lifecycles/s\n", (double)n / (t1 - t0));
	printf("message_rate %.0f messages/s\n",
	       (double)(messages - msgs0) / (t1 - t0));
	printf("messages_per_lifecycle %.1f messages\n",
	       (double)(messages - msgs0) / (double)n);
	printf("lifecycle_time %.3f us\n", (t1 - t0) * 1e6 / (double)n);
	/* the event descriptor's: a write when a burst of messages begins,
	 * a read when it has been fetched (nothing else reads or writes) */
	if (rw0 >= 0 && rw1 >= 0)
		printf("read_write_syscalls_per_lifecycle %.1f system calls\n",
		       (double)(rw1 - rw0) / (double)n);
	printf("eventfd_pair_time %.0f ns\n", eventfd_pair_ns());
	rw0 = rw_syscalls();
	t0 = now_s();
	run_quiet(n);
	t1 = now_s();
	rw1 = rw_syscalls();
	printf("lifecycle_rate_quiet_descriptor %.0f lifecycles/s\n",
	       (double)n / (t1 - t0));
	if (rw0 >= 0 && rw1 >= 0)
		printf("read_write_syscalls_per_lifecycle_quiet_descriptor %.1f "
		       "system calls\n",
		       (double)(rw1 - rw0) / (double)n);
	printf("lifecycle_time_quiet_descriptor %.3f us\n",
	       (t1 - t0) * 1e6 / (double)n);

	if (held) {
		outs = malloc(held * sizeof(*outs));
		ins = malloc(held * sizeof(*ins));
		if (!outs || !ins)
			die("malloc", 0);
		before = mallinfo2();
		t0 = now_s();
		for (i = 0; i < held; i++)
			connect_call(&outs[i], &ins[i]);
		t1 = now_s();
		after = mallinfo2();
		printf("held_calls %lu calls\n", held);
		printf("held_call_setup_rate %.0f calls/s\n",
		       (double)held / (t1 - t0));
		/* both ends of each call: core, esp, handle tables, queue */
		printf("heap_per_held_call %.0f bytes\n",
		       (double)(after.uordblks - before.uordblks) /
		               (double)held);
		t0 = now_s();
		for (i = 0; i < held; i++)
			end_call(outs[i], ins[i]);
		t1 = now_s();
		printf("held_call_teardown_rate %.0f calls/s\n",
		       (double)held / (t1 - t0));
		free(outs);
		free(ins);
	}
	r = lineShutdown(app);
	if (r)
		die("lineShutdown", r);
	return 0;
}
