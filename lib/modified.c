/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MODIFIED: one rule for a process's executable and for every file it
 * maps.  The file standing at its name is the one the process runs, but
 * it was written in place after the process started.  That takes all of:
 *  - its mtime is later than the process start (the fork's, which exec
 *    keeps, rounded up to the next clock tick);
 *  - that write is its last status change (ctime within a second of it):
 *    a rename, link or chmod moves ctime without changing the code, and a
 *    file installed by rename with its build mtime kept (dpkg, rpm) has a
 *    much later ctime.  Not asked when a name of the file was removed
 *    (LINKS_CHANGED: the unlink moved ctime);
 *  - it was written after its birth (mtime more than a second after the
 *    birth time, where the filesystem records one): a file written only
 *    when it was created, such as a program or plugin copied in and then
 *    executed or loaded (as container entrypoints do, even when birth,
 *    write and exec share one clock tick), runs what it was created with.
 *    This test needs no start time, so it comes first.
 * No atime rule: any later reader (another exec of the same program, a
 * later mapping of the library) moves atime past the change.  Missed: a
 * write followed by a rename or chmod, a write within a second of the
 * file's birth, a write whose mtime was set back.  Wrongly flagged: an
 * existing file overwritten in place between the fork and the exec of the
 * process that runs it (procfs does not tell the exec time).
 */
#include "internal.h"

/* Times closer than this count as one event (one write sets mtime and
 * ctime together; a copy sets birth and mtime within its duration). */
#define SAME_EVENT_NS 1000000000ull

bool pe_written_after_start(const struct pe_times *t, bool links_changed,
                            uint64_t (*start_ns)(void *userdata), void *userdata)
{
	uint64_t start;

	/* the times alone first: the start costs a read of the stat file */
	if (t->m == 0 || (!links_changed && t->c > t->m + SAME_EVENT_NS))
		return false;
	if (t->b && t->m <= t->b + SAME_EVENT_NS)
		return false;   /* written only when it was created */
	start = start_ns(userdata);
	return start != 0 && t->m > start;
}
