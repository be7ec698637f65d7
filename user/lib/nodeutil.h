/*
 * nodeutil.h - NUMA node helpers shared by the user tests and benchmarks.
 *
 * A node is a cluster on Archipel (getcpu(2) returns it); its cpus are
 * listed by /sys/devices/system/node/node<N>/cpulist as on Linux.
 */
#ifndef _NODEUTIL_H_
#define _NODEUTIL_H_

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

/* The cpus of node @node (from sysfs) in @set; returns their number, or -1. */
static inline int node_cpus(int node, cpu_set_t *set)
{
	char path[64], buf[256];
	int count = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	CPU_ZERO(set);
	for (char *s = buf; *s && *s != '\n';) {
		char *e;
		long a = strtol(s, &e, 10), b = a;
		if (e == s)
			return -1;
		if (*e == '-') {
			s = e + 1;
			b = strtol(s, &e, 10);
			if (e == s)
				return -1;
		}
		for (long c = a; c <= b && c < CPU_SETSIZE; c++, count++)
			CPU_SET(c, set);
		s = *e == ',' ? e + 1 : e;
	}
	return count;
}

/*
 * Reads sysfs file @file ("meminfo", "numastat") of node @node into @buf
 * (@cap bytes, NUL-terminated). Returns the bytes read, or -1.
 */
static inline ssize_t node_read(int node, const char *file, char *buf, size_t cap)
{
	char path[80];
	ssize_t len = 0, n;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/%s", node, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < (ssize_t)cap - 1 && (n = read(fd, buf + len, cap - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len > 0 ? len : -1;
}

/* The value of "Node N <key>: X kB" in node @node's meminfo, in kB, or -1 (no such line). */
static inline long node_meminfo_kb(int node, const char *key)
{
	char buf[1024], fmt[64];

	if (node_read(node, "meminfo", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(fmt, sizeof(fmt), "Node %%d %s: %%ld kB", key);
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		int id;
		long kb;
		if (*line == '\n')
			line++;
		if (sscanf(line, fmt, &id, &kb) == 2 && id == node)
			return kb;
	}
	return -1;
}

#endif /* _NODEUTIL_H_ */
