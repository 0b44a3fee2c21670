/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "cli.h"
#include "watch-cn.h"

struct wcn {
	int fd;
};

/* The subscription message: netlink header, connector header, operation
 * (laid out by hand: struct cn_msg ends in a flexible array). */
static int send_listen(int fd)
{
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
	char msg[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(op))] __attribute__((aligned(8)));
	struct nlmsghdr *nl = (struct nlmsghdr *)msg;
	struct cn_msg *cn = NLMSG_DATA(nl);

	memset(msg, 0, sizeof(msg));
	nl->nlmsg_len = sizeof(msg);
	nl->nlmsg_type = NLMSG_DONE;
	nl->nlmsg_pid = (__u32)getpid();
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	return send(fd, msg, sizeof(msg), 0) == (ssize_t)sizeof(msg) ? 0 : -errno;
}

int wcn_open(struct wcn **ret, const char **why)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int size = 8 << 20, fd, r;

	fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0) {
		*why = "netlink socket";
		return -errno;
	}
	/* A burst of execs must not overflow the socket: 8 MiB where allowed. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	sa.nl_pid = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		*why = "netlink bind";
		close(fd);
		return r;
	}
	r = send_listen(fd);
	if (r < 0) {
		*why = "subscription";
		close(fd);
		return r;
	}
	*ret = xmalloc(sizeof(**ret));
	(*ret)->fd = fd;
	return 0;
}

void wcn_free(struct wcn *c)
{
	if (c) {
		close(c->fd);
		free(c);
	}
}

int wcn_fd(const struct wcn *c)
{
	return c->fd;
}

/* The exec events of one datagram of LEN bytes. */
static int parse(const char *buf, size_t len, wcn_event_fn fn, void *userdata)
{
	const struct nlmsghdr *nl = (const void *)buf;
	int n = 0;

	for (; NLMSG_OK(nl, len); nl = NLMSG_NEXT(nl, len)) {
		const struct cn_msg *cn = NLMSG_DATA(nl);
		struct proc_event ev;

		if (nl->nlmsg_type != NLMSG_DONE ||
		    nl->nlmsg_len < NLMSG_LENGTH(sizeof(*cn) + sizeof(ev)) ||
		    cn->id.idx != CN_IDX_PROC || cn->len < sizeof(ev))
			continue;
		/* the event sits 4 bytes off its 8-byte alignment */
		memcpy(&ev, cn->data, sizeof(ev));
		if (ev.what == PROC_EVENT_EXEC) {
			fn(userdata, ev.event_data.exec.process_tgid, ev.timestamp_ns);
			n++;
		}
	}
	return n;
}

int wcn_drain(struct wcn *c, wcn_event_fn fn, void *userdata, uint64_t *lost)
{
	char buf[16384] __attribute__((aligned(8)));
	int n = 0;

	for (;;) {
		ssize_t len = recv(c->fd, buf, sizeof(buf), 0);

		if (len < 0) {
			if (errno == ENOBUFS) {
				(*lost)++;
				continue;
			}
			return errno == EAGAIN ? n : -errno;
		}
		n += parse(buf, (size_t)len, fn, userdata);
	}
}
