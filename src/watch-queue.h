/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bounded FIFO of items handed from one producer thread (procexe
 * watch's event loop) to one worker thread.  The ring is allocated once;
 * a push never allocates and never waits for the worker: a full queue
 * refuses the item, and the caller keeps it (and counts the drop).
 */
#ifndef PROCEXE_WATCH_QUEUE_H
#define PROCEXE_WATCH_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct wqueue;

/*
 * A queue of CAP items (CAP > 0) and its worker thread, started here with
 * every signal blocked (signals stay with the caller's threads).  The
 * worker calls PROCESS(item, UD) for each item, one at a time, in push
 * order; PROCESS owns the item.  0, or -EINVAL, -ENOMEM, -EAGAIN (no
 * thread).
 */
int wqueue_new(size_t cap, void (*process)(void *item, void *ud), void *ud,
               struct wqueue **ret);

/*
 * The worker is woken by a push only once a batch is waiting (WQUEUE_BATCH
 * items, or half the ring when that is smaller); otherwise it takes what
 * is queued every WQUEUE_POLL_NS.  A wake-up per item would cost each item
 * a cross-CPU wake-up; an item waits WQUEUE_POLL_NS at most.
 */
#define WQUEUE_BATCH 64
#define WQUEUE_POLL_NS 100000000L

/*
 * Queue ITEM (any pointer, NULL included) for the worker; the queue owns
 * it then.  Never blocks beyond a short lock: false when the queue is full
 * (or being freed), and ITEM stays the caller's.
 */
bool wqueue_push(struct wqueue *q, void *item);

/* Items queued and not yet taken by the worker. */
size_t wqueue_depth(struct wqueue *q);

/*
 * Let the worker process every item still queued, join it, free Q.
 * Pushes racing with this are refused.  NULL is fine.
 */
void wqueue_free(struct wqueue *q);

#endif /* PROCEXE_WATCH_QUEUE_H */
