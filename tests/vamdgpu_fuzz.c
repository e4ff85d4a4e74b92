// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: vamdgpu fuzz
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Virtual GPU ioctl robustness
 * Functionality: the virtual GPU's ioctls under random and boundary
 *	arguments
 * Description: A seeded generator calls every vamdgpu ioctl (and unknown
 *	ones) with random and boundary arguments: bad pads and flags, unknown
 *	ops, queue ids and seqnos, unaligned, wrapping and huge sizes and
 *	addresses, NULL, unmapped and kernel command pointers, command counts
 *	from 0 to huge, commands that fault. Every return must be 0 or an
 *	errno the UAPI header documents for that ioctl; afterwards a queue
 *	created before the run, which no call named, still runs commands on
 *	the right memory. GPU commands only reach a sandbox buffer or
 *	addresses that fault, never the test's own memory. The seed is
 *	printed (VAMDGPU_FUZZ_SEED replays it, VAMDGPU_FUZZ_CALLS sets the
 *	number of calls). One dynamic subtest per GPU and XNACK mode.
 *
 * SUBTEST: ioctls
 * Description: 100,000 calls (or VAMDGPU_FUZZ_CALLS).
 *
 * SUBTEST: ioctls-short
 * Description: 5,000 calls, for the pre-merge list.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "amdgpu_svm.h"
#include "svm_buf.h"
#include "svm_gpu.h"
#include "vamdgpu.h"

#define MAX_GPUS	8
#define SANDBOX_PAGES	16
/* Right after the sandbox: a command running past its end faults. */
#define NO_ACCESS_PAGES	16
/* GPU VAs of hand mappings: far from anything the CPU maps. */
#define USERPTR_VA	(1ull << 46)
#define MAX_CMDS	8
#define MAX_FUZZ_QUEUES	8

struct fuzz {
	int fd;
	uint64_t rng;
	size_t page;
	/* GPU-accessible memory, and PROT_NONE memory that faults */
	char *sandbox, *no_access;
	/* a page of commands, then an unmapped page */
	struct drm_vamdgpu_cmd *cmds;
	uint32_t control_q, queues[MAX_FUZZ_QUEUES];
	unsigned int nqueues;
	uint64_t last_seqno;
	unsigned long calls, ok, by_errno[256];
};

static uint64_t next(struct fuzz *f)
{
	/* xorshift64*: a replayable sequence from the printed seed */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct fuzz *f, uint64_t n)
{
	return next(f) % n;
}

static bool chance(struct fuzz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

static uint32_t small_or_random(struct fuzz *f)
{
	return chance(f, 90) ? 0 : (uint32_t)next(f);
}

/* A queue id: one of the fuzz's, an unknown one, never the control queue. */
static uint32_t some_queue(struct fuzz *f)
{
	uint32_t id;

	if (f->nqueues && chance(f, 80))
		return f->queues[below(f, f->nqueues)];
	do
		id = chance(f, 50) ? below(f, 64) : (uint32_t)next(f);
	while (id == f->control_q);
	return id;
}

/* A GPU address: in the sandbox, in faulting memory, or beyond user space. */
static uint64_t some_addr(struct fuzz *f)
{
	unsigned int r = below(f, 100);
	size_t sandbox = SANDBOX_PAGES * f->page;

	if (r < 80)
		return (uintptr_t)f->sandbox + (below(f, sandbox / 8) * 8 |
						(chance(f, 5) ? below(f, 8) : 0));
	if (r < 90)
		return (uintptr_t)f->no_access + below(f, NO_ACCESS_PAGES * f->page);
	if (r < 95)
		return (1ull << 47) + below(f, 1ull << 40);
	return -below(f, 1ull << 20);
}

static struct drm_vamdgpu_cmd some_cmd(struct fuzz *f)
{
	static const uint64_t sizes[] = { 4, 8, 16, 64, 4096, 8192 };
	struct drm_vamdgpu_cmd c = {
		.op = chance(f, 95) ? below(f, VAMDGPU_CMD_FENCE + 1) : next(f),
		.flags = small_or_random(f),
	};

	/* fields the op does not use stay zero most of the time */
	if (c.op != VAMDGPU_CMD_READ || chance(f, 5))
		c.dst = some_addr(f);
	if (c.op == VAMDGPU_CMD_READ || c.op == VAMDGPU_CMD_COPY || chance(f, 5))
		c.src = some_addr(f);
	c.size = chance(f, 90) ? sizes[below(f, ARRAY_SIZE(sizes))] :
		 /* never past the PROT_NONE pages after the sandbox */
		 chance(f, 50) ? below(f, NO_ACCESS_PAGES * f->page) : next(f);
	if (c.op == VAMDGPU_CMD_WRITE || c.op == VAMDGPU_CMD_FILL ||
	    c.op == VAMDGPU_CMD_ATOMIC_ADD || c.op == VAMDGPU_CMD_FENCE ||
	    chance(f, 5))
		c.value = next(f);
	return c;
}

static const char *ioctl_name(unsigned int nr)
{
	static const char *const names[] = {
		"INFO", "SET_XNACK", "VM_OP", "QUEUE_CREATE", "QUEUE_DESTROY",
		"SUBMIT", "WAIT", "QUEUE_STATUS",
	};

	return nr < ARRAY_SIZE(names) ? names[nr] : "unknown";
}

/* Does the header document @err for ioctl @nr? */
static bool documented(unsigned int nr, int err)
{
	switch (nr) {
	case DRM_VAMDGPU_INFO:
		return err == EINVAL;
	case DRM_VAMDGPU_SET_XNACK:
		return err == EINVAL || err == EOPNOTSUPP || err == EBUSY;
	case DRM_VAMDGPU_VM_OP:
		return err == EINVAL || err == E2BIG || err == EEXIST ||
		       err == EADDRINUSE || err == EFAULT || err == ENOENT;
	case DRM_VAMDGPU_QUEUE_CREATE:
		return err == EINVAL || err == ENOSPC || err == EOPNOTSUPP;
	case DRM_VAMDGPU_QUEUE_DESTROY:
	case DRM_VAMDGPU_QUEUE_STATUS:
		return err == EINVAL || err == ENOENT;
	case DRM_VAMDGPU_SUBMIT:
		return err == EINVAL || err == EFAULT || err == ENOENT ||
		       err == EIO || err == EBUSY;
	case DRM_VAMDGPU_WAIT:
		return err == EINVAL || err == ENOENT || err == EIO ||
		       err == ETIME;
	default:
		/* DRM's answer to a driver ioctl number it does not have */
		return err == EINVAL;
	}
}

static void fuzz_vm_op(struct fuzz *f, struct drm_vamdgpu_vm_op *op)
{
	uint64_t p = f->page;

	static const uint32_t ops[] = {
		VAMDGPU_VM_OP_MAP_USERPTR, VAMDGPU_VM_OP_MAP_USERPTR,
		VAMDGPU_VM_OP_UNMAP, VAMDGPU_VM_OP_UNMAP, VAMDGPU_VM_OP_FLUSH_TLB,
		/* mostly running queues: resumes outnumber quiesces */
		VAMDGPU_VM_OP_QUIESCE, VAMDGPU_VM_OP_RESUME, VAMDGPU_VM_OP_RESUME,
		VAMDGPU_VM_OP_RESUME,
	};

	op->op = chance(f, 95) ? ops[below(f, ARRAY_SIZE(ops))] : next(f);
	op->flags = chance(f, 80) ? below(f, 8) : (uint32_t)next(f);
	switch (op->op) {
	case VAMDGPU_VM_OP_MAP_USERPTR:
	case VAMDGPU_VM_OP_UNMAP:
		op->va = chance(f, 90) ? USERPTR_VA + below(f, 32) * p :
					 next(f);
		op->size = chance(f, 85) ? (1 + below(f, 4)) * p :
			   chance(f, 50) ? VAMDGPU_VM_MAP_MAX_SIZE + p : next(f);
		if (op->op == VAMDGPU_VM_OP_MAP_USERPTR)
			op->userptr = chance(f, 85) ?
				(uintptr_t)f->sandbox + below(f, SANDBOX_PAGES - 4) * p :
				chance(f, 50) ? (uintptr_t)f->no_access : next(f);
		break;
	default:
		/* FLUSH_TLB, QUIESCE, RESUME take nothing else */
		op->flags = small_or_random(f);
		if (chance(f, 10))
			op->va = next(f);
	}
}

static void fuzz_submit(struct fuzz *f, struct drm_vamdgpu_submit *s)
{
	unsigned int r = below(f, 100);

	s->queue_id = some_queue(f);
	s->num_cmds = chance(f, 90) ? 1 + below(f, MAX_CMDS) :
		      chance(f, 50) ? 0 : VAMDGPU_SUBMIT_MAX_CMDS + 1;
	for (unsigned int i = 0; i < MAX_CMDS; i++)
		f->cmds[i] = some_cmd(f);
	if (r < 90)
		s->cmds = (uintptr_t)f->cmds;
	else if (r < 94)
		s->cmds = 0;
	else if (r < 97)
		/* the array runs into the unmapped page */
		s->cmds = (uintptr_t)f->cmds + f->page -
			  sizeof(*f->cmds) * below(f, 2);
	else
		s->cmds = 0xffff888000000000ull;
	s->pad = small_or_random(f);
}

static void fuzz_one(struct fuzz *f)
{
	union {
		struct drm_vamdgpu_info info;
		struct drm_vamdgpu_set_xnack xnack;
		struct drm_vamdgpu_vm_op vm_op;
		struct drm_vamdgpu_queue_create create;
		struct drm_vamdgpu_queue_destroy destroy;
		struct drm_vamdgpu_submit submit;
		struct drm_vamdgpu_wait wait;
		struct drm_vamdgpu_queue_status status;
		char bytes[64];
	} u;
	unsigned int nr = chance(f, 97) ? below(f, DRM_VAMDGPU_QUEUE_STATUS + 1) :
			  DRM_VAMDGPU_QUEUE_STATUS + 1 + below(f, 0x17);
	unsigned long request;
	int ret;

	memset(&u, 0, sizeof(u));
	switch (nr) {
	case DRM_VAMDGPU_INFO:
		request = DRM_IOCTL_VAMDGPU_INFO;
		u.info.pad = small_or_random(f);
		break;
	case DRM_VAMDGPU_SET_XNACK:
		request = DRM_IOCTL_VAMDGPU_SET_XNACK;
		u.xnack.xnack_enabled = chance(f, 90) ? (int)below(f, 3) - 1 :
					(int32_t)next(f);
		u.xnack.pad = small_or_random(f);
		break;
	case DRM_VAMDGPU_VM_OP:
		request = DRM_IOCTL_VAMDGPU_VM_OP;
		fuzz_vm_op(f, &u.vm_op);
		break;
	case DRM_VAMDGPU_QUEUE_CREATE:
		request = DRM_IOCTL_VAMDGPU_QUEUE_CREATE;
		u.create.flags = small_or_random(f);
		break;
	case DRM_VAMDGPU_QUEUE_DESTROY:
		request = DRM_IOCTL_VAMDGPU_QUEUE_DESTROY;
		u.destroy.queue_id = some_queue(f);
		u.destroy.pad = small_or_random(f);
		break;
	case DRM_VAMDGPU_SUBMIT:
		request = DRM_IOCTL_VAMDGPU_SUBMIT;
		fuzz_submit(f, &u.submit);
		break;
	case DRM_VAMDGPU_WAIT:
		request = DRM_IOCTL_VAMDGPU_WAIT;
		u.wait.queue_id = some_queue(f);
		u.wait.seqno = chance(f, 70) ? f->last_seqno :
			       chance(f, 50) ? f->last_seqno + 1 : next(f);
		/* bounded: 0 polls, at most 1 ms; sometimes negative */
		u.wait.timeout_ns = chance(f, 90) ? (int64_t)below(f, 1000000) :
				    -(int64_t)below(f, 1000) - 1;
		u.wait.pad = small_or_random(f);
		break;
	case DRM_VAMDGPU_QUEUE_STATUS:
		request = DRM_IOCTL_VAMDGPU_QUEUE_STATUS;
		u.status.queue_id = some_queue(f);
		u.status.pad = small_or_random(f);
		break;
	default:
		request = DRM_IOWR(DRM_COMMAND_BASE + nr, u.bytes);
	}

	ret = drmIoctl(f->fd, request, &u) ? errno : 0;
	f->calls++;
	f->by_errno[ret & 0xff]++;
	igt_assert_f(ret == 0 || documented(nr, ret),
		     "call %lu: %s (nr 0x%x) returned %s, which its header does not document\n",
		     f->calls, ioctl_name(nr), nr, strerror(ret));
	if (ret)
		return;
	f->ok++;
	if (nr == DRM_VAMDGPU_QUEUE_CREATE) {
		if (f->nqueues < MAX_FUZZ_QUEUES)
			f->queues[f->nqueues++] = u.create.queue_id;
		else
			vamdgpu_queue_destroy(f->fd, u.create.queue_id);
	} else if (nr == DRM_VAMDGPU_QUEUE_DESTROY) {
		for (unsigned int i = 0; i < f->nqueues; i++)
			if (f->queues[i] == u.destroy.queue_id)
				f->queues[i] = f->queues[--f->nqueues];
	} else if (nr == DRM_VAMDGPU_SUBMIT) {
		f->last_seqno = u.submit.seqno;
	}
}

static uint64_t fuzz_seed(void)
{
	const char *env = getenv("VAMDGPU_FUZZ_SEED");
	uint64_t seed = 0;

	if (env)
		return strtoull(env, NULL, 0) ?: 1;
	igt_assert_eq(getrandom(&seed, sizeof(seed), 0), (ssize_t)sizeof(seed));
	return seed ?: 1;
}

/* Undo what the run left: quiesces, hand mappings, queues. */
static void fuzz_cleanup(struct fuzz *f)
{
	struct drm_vamdgpu_vm_op resume = { .op = VAMDGPU_VM_OP_RESUME };

	while (!drmIoctl(f->fd, DRM_IOCTL_VAMDGPU_VM_OP, &resume))
		;
	for (unsigned int i = 0; i < 32; i++)
		for (unsigned int n = 1; n <= 4; n++)
			__vamdgpu_unmap(f->fd, USERPTR_VA + i * f->page,
					n * f->page, 0);
	while (f->nqueues)
		vamdgpu_queue_destroy(f->fd, f->queues[--f->nqueues]);
}

static void test_fuzz(const struct vamdgpu_gpu *gpu, bool xnack,
		      unsigned long calls)
{
	const char *env = getenv("VAMDGPU_FUZZ_CALLS");
	size_t p = svm_page_size(), size = SANDBOX_PAGES * p;
	uint64_t seed = fuzz_seed(), *word;
	struct fuzz f = { .page = p, .rng = seed };
	char *cmd_pages;

	if (env)
		calls = strtoul(env, NULL, 0);
	f.fd = vamdgpu_reopen(gpu->fd);
	vamdgpu_set_xnack(f.fd, xnack);
	igt_info("%s, XNACK %s: %lu calls, seed 0x%" PRIx64 " (VAMDGPU_FUZZ_SEED=0x%" PRIx64 " replays it)\n",
		 gpu->name, xnack ? "on" : "off", calls, seed, seed);

	f.sandbox = svm_map(size + NO_ACCESS_PAGES * p);
	f.no_access = f.sandbox + size;
	igt_assert_eq(mprotect(f.no_access, NO_ACCESS_PAGES * p, PROT_NONE), 0);
	cmd_pages = svm_map(2 * p);
	igt_assert_eq(munmap(cmd_pages + p, p), 0);
	f.cmds = (void *)cmd_pages;
	svm_set_one(f.fd, (uintptr_t)f.sandbox, size, AMDGPU_SVM_ATTR_ACCESS,
		    gpu->info.gpu_id);
	f.control_q = vamdgpu_queue_create(f.fd);

	while (f.calls < calls) {
		fuzz_one(&f);
		if (f.calls % 20000 == 0)
			igt_info("%lu calls, %lu succeeded\n", f.calls, f.ok);
	}
	igt_info("%lu calls: %lu succeeded, %lu EINVAL, %lu ENOENT, %lu EFAULT, %lu EIO, %lu ETIME, %lu EBUSY\n",
		 f.calls, f.ok, f.by_errno[EINVAL], f.by_errno[ENOENT],
		 f.by_errno[EFAULT], f.by_errno[EIO], f.by_errno[ETIME],
		 f.by_errno[EBUSY]);
	fuzz_cleanup(&f);

	/* The queue no call named still writes exactly where it is told. */
	word = (uint64_t *)(f.sandbox + 3 * p);
	*word = 0;
	vamdgpu_exec(f.fd, f.control_q,
		     &(struct drm_vamdgpu_cmd){
			     .op = VAMDGPU_CMD_WRITE, .dst = (uintptr_t)word,
			     .size = 8, .value = 0x600dcafe600dcafeull }, 1);
	igt_assert_f(*word == 0x600dcafe600dcafeull,
		     "after the run the control queue's write did not land: 0x%" PRIx64 "\n",
		     *word);
	vamdgpu_queue_destroy(f.fd, f.control_q);
	munmap(cmd_pages, p);
	munmap(f.sandbox, size + NO_ACCESS_PAGES * p);
	close(f.fd);
}

static void fuzz_all(const struct vamdgpu_gpu *gpus, int ngpus,
		     unsigned long calls)
{
	for (int g = 0; g < ngpus; g++)
		for (int x = 0; x <= 1; x++) {
			if (!svm_xnack_wanted(x) ||
			    (x && !vamdgpu_gpu_xnack_capable(&gpus[g])))
				continue;
			igt_dynamic_f("%s-xnack-%s", gpus[g].name,
				      x ? "on" : "off")
				test_fuzz(&gpus[g], x, calls);
		}
}

int igt_main()
{
	static struct vamdgpu_gpu gpus[MAX_GPUS];
	static int ngpus;

	igt_fixture() {
		ngpus = vamdgpu_gpus_open(gpus, MAX_GPUS);
		igt_require_f(ngpus > 0, "no vamdgpu render node\n");
	}

	igt_describe("100,000 vamdgpu ioctls (or VAMDGPU_FUZZ_CALLS) with random and boundary arguments: each returns 0 or an errno its header documents, and a queue no call named still works afterwards.");
	igt_subtest_with_dynamic("ioctls")
		fuzz_all(gpus, ngpus, 100000);

	igt_describe("5,000 vamdgpu ioctls with random and boundary arguments, for the pre-merge list: each returns 0 or an errno its header documents, and a queue no call named still works afterwards.");
	igt_subtest_with_dynamic("ioctls-short")
		fuzz_all(gpus, ngpus, 5000);

	igt_fixture()
		vamdgpu_gpus_close(gpus, ngpus);
}
