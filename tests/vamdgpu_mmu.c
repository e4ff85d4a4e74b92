// SPDX-License-Identifier: MIT
/* Copyright 2026 The amdgpu-svm authors */

/**
 * TEST: vamdgpu mmu
 * Category: Infrastructure
 * Mega feature: SVM
 * Sub-category: Virtual GPU
 * Functionality: GPU page table, TLB, VM faults, XNACK
 * Description: The virtual GPU's MMU: its TLB caches translations until
 *	flushed, an access the page table does not allow is a VM fault that
 *	stops the queue with the faulting address (XNACK off) or is retried
 *	after the fault handler mapped the page (XNACK on), and the XNACK
 *	mode follows KFD's per-process rules.
 *
 * SUBTEST: tlb-stale-until-flush
 * Description: After a PTE changes without a TLB flush the GPU still
 *	reads the old page; after the flush it reads the new one.
 *
 * SUBTEST: vm-fault-xnack-off
 * Description: With XNACK off, a read or a write of an unmapped address
 *	stops the queue in the error state with that exact address and
 *	access type; the commands after it do not run, waits and new
 *	submissions fail with EIO.
 *
 * SUBTEST: permission-fault
 * Description: A GPU write to a read-only mapping is a VM fault flagged
 *	as a permission fault, in each XNACK mode the GPU supports.
 *
 * SUBTEST: xnack-on-retry
 * Description: With XNACK on, accesses to a lazily mapped buffer fault
 *	once per page, the fault handler maps each page and the commands
 *	complete with the right data; an access nobody can map still stops
 *	the queue, flagged as a failed retry.
 *
 * SUBTEST: xnack-off-lazy-faults
 * Description: With XNACK off, the first access to a lazily mapped
 *	(PTE-less) buffer is a VM fault at its first page: nothing retries.
 *
 * SUBTEST: page-tables-lost
 * Description: The page tables of the GPU are wiped, as a reset that
 *	loses VRAM wipes amdgpu's (debugfs vamdgpu_lose_page_tables): the
 *	queue is lost, and the first submission to a new one writes the
 *	PTEs of hand-made mappings again, so a read does not fault; with XNACK on, a lazy mapping
 *	faults again (its PTE was wiped and stays lazy) while an eager one
 *	does not (it was written again).
 *
 * SUBTEST: xnack-mode
 * Description: gfx1100 refuses XNACK on with EOPNOTSUPP; gfx943 switches
 *	per process, reports the mode in INFO, and refuses SET_XNACK with
 *	EBUSY, through any of its files, while the process has a queue, even
 *	to the mode in force (as KFD).
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt.h"
#include "vamdgpu.h"

#define PAGE		4096ull
#define VA		0x300000000ull

static void *alloc_buf(size_t size, int c)
{
	void *p = aligned_alloc(PAGE, size);

	igt_assert(p);
	memset(p, c, size);
	return p;
}

static uint64_t gpu_read64(int fd, uint32_t queue, uint64_t va)
{
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_read(va, 8);
	struct drm_vamdgpu_queue_status st;

	vamdgpu_exec(fd, queue, &cmd, 1);
	vamdgpu_queue_status(fd, queue, &st);
	return st.read_value;
}

static void test_tlb(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint64_t *a = alloc_buf(PAGE, 0xaa), *b = alloc_buf(PAGE, 0xbb);
	uint32_t q = vamdgpu_queue_create(fd);
	uint64_t v;

	vamdgpu_map_userptr(fd, VA, PAGE, a, 0);
	v = gpu_read64(fd, q, VA);
	igt_assert_eq_u64(v, 0xaaaaaaaaaaaaaaaaull);

	/* Point VA at b without a flush: the TLB still has a. */
	vamdgpu_unmap(fd, VA, PAGE, VAMDGPU_VM_SKIP_TLB_FLUSH);
	vamdgpu_map_userptr(fd, VA, PAGE, b, VAMDGPU_VM_SKIP_TLB_FLUSH);
	v = gpu_read64(fd, q, VA);
	igt_assert_f(v == 0xaaaaaaaaaaaaaaaaull,
		     "%s: without a TLB flush the GPU read 0x%016llx at 0x%llx, expected the stale 0xaa.. page\n",
		     gpu->name, (unsigned long long)v, VA);

	vamdgpu_flush_tlb(fd);
	v = gpu_read64(fd, q, VA);
	igt_assert_f(v == 0xbbbbbbbbbbbbbbbbull,
		     "%s: after the TLB flush the GPU read 0x%016llx at 0x%llx, expected the new 0xbb.. page\n",
		     gpu->name, (unsigned long long)v, VA);

	/* With the flush (the default), a remap is seen at once. */
	vamdgpu_unmap(fd, VA, PAGE, 0);
	vamdgpu_map_userptr(fd, VA, PAGE, a, 0);
	igt_assert_eq_u64(gpu_read64(fd, q, VA), 0xaaaaaaaaaaaaaaaaull);

	close(fd);
	free(a);
	free(b);
}

static void check_fault(const struct vamdgpu_gpu *gpu, int fd, uint32_t q,
			uint64_t addr, uint32_t flags, uint64_t seqno)
{
	struct drm_vamdgpu_queue_status st;
	int ret;

	ret = __vamdgpu_wait(fd, q, seqno, VAMDGPU_WAIT_TIMEOUT_NS);
	igt_assert_f(ret == -EIO, "%s: wait after a VM fault returned %d (%s), expected -EIO\n",
		     gpu->name, ret, strerror(-ret));
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.state == VAMDGPU_QUEUE_STATE_ERROR,
		     "%s: queue state %s after a VM fault, expected error\n",
		     gpu->name, vamdgpu_queue_state_name(st.state));
	igt_assert_f(st.fault_addr == addr && st.fault_flags == flags,
		     "%s: expected a fault at 0x%llx flags 0x%x, queue reports 0x%llx flags 0x%x\n",
		     gpu->name, (unsigned long long)addr, flags,
		     (unsigned long long)st.fault_addr, st.fault_flags);
	igt_assert_eq_u32(st.vm_fault_count, 1);
	igt_assert_f(st.completed_seqno < seqno, "%s: the faulting submission completed\n",
		     gpu->name);
}

static void test_vm_fault(const struct vamdgpu_gpu *gpu, bool write)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint8_t *buf = alloc_buf(2 * PAGE, 0);
	uint64_t bad = VA + 2 * PAGE + 0x18, seqno;
	uint32_t q = vamdgpu_queue_create(fd);
	struct drm_vamdgpu_cmd cmds[] = {
		vamdgpu_cmd_write(VA, 0x1111, 8),
		write ? vamdgpu_cmd_write(bad, 0x2222, 8) : vamdgpu_cmd_read(bad, 8),
		vamdgpu_cmd_write(VA + 8, 0x3333, 8),
	};

	vamdgpu_map_userptr(fd, VA, 2 * PAGE, buf, 0);
	seqno = vamdgpu_submit(fd, q, cmds, 3);
	check_fault(gpu, fd, q, bad, write ? VAMDGPU_FAULT_WRITE : 0, seqno);
	igt_assert_eq_u64(*(uint64_t *)buf, 0x1111);
	igt_assert_f(*(uint64_t *)(buf + 8) == 0,
		     "%s: a command after the VM fault ran\n", gpu->name);
	igt_assert_eq(__vamdgpu_submit(fd, q, cmds, 1, &seqno), -EIO);

	/* Other queues of the process are not affected. */
	q = vamdgpu_queue_create(fd);
	vamdgpu_exec(fd, q, &cmds[2], 1);
	igt_assert_eq_u64(*(uint64_t *)(buf + 8), 0x3333);

	close(fd);
	free(buf);
}

/*
 * The XNACK mode is the process's, kept while the fixture's file is open:
 * a subtest that turned it on turns it off again (its queues are gone with
 * its file), so the next subtest of a whole-binary run starts from the
 * default, as it does alone under igt_runner.
 */
static void xnack_default(const struct vamdgpu_gpu *gpu)
{
	vamdgpu_set_xnack(gpu->fd, false);
}

static void test_permission_fault(const struct vamdgpu_gpu *gpu, bool xnack)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint8_t *buf = alloc_buf(PAGE, 0x77);
	uint32_t q;
	struct drm_vamdgpu_cmd cmd = vamdgpu_cmd_write(VA + 0x40, 1, 4);
	uint32_t flags = VAMDGPU_FAULT_WRITE | VAMDGPU_FAULT_PERMISSION;

	vamdgpu_set_xnack(fd, xnack);
	q = vamdgpu_queue_create(fd);
	vamdgpu_map_userptr(fd, VA, PAGE, buf, VAMDGPU_VM_MAP_READ_ONLY);
	igt_assert_eq_u64(gpu_read64(fd, q, VA), 0x7777777777777777ull);
	if (xnack)
		flags |= VAMDGPU_FAULT_RETRY_FAILED;
	check_fault(gpu, fd, q, VA + 0x40, flags, vamdgpu_submit(fd, q, &cmd, 1));
	igt_assert_eq_u32(*(uint32_t *)(buf + 0x40), 0x77777777);
	close(fd);
	free(buf);
	xnack_default(gpu);
}

static void test_xnack_on_retry(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint8_t *buf = alloc_buf(4 * PAGE, 0);
	struct drm_vamdgpu_queue_status st;
	uint32_t q;
	struct drm_vamdgpu_cmd fill = vamdgpu_cmd_fill(VA, 4 * PAGE, 0xc0ffee00);
	struct drm_vamdgpu_cmd bad = vamdgpu_cmd_write(VA + 4 * PAGE, 1, 8);

	vamdgpu_set_xnack(fd, true);
	q = vamdgpu_queue_create(fd);
	vamdgpu_map_userptr(fd, VA, 4 * PAGE, buf, VAMDGPU_VM_MAP_LAZY);
	vamdgpu_exec(fd, q, &fill, 1);
	for (size_t i = 0; i < 4 * PAGE; i += 4)
		igt_assert_f(*(uint32_t *)(buf + i) == 0xc0ffee00,
			     "%s: offset %zu not filled after retried faults\n",
			     gpu->name, i);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.retry_fault_count == 4,
		     "%s: expected 4 retried faults (one per page), counted %u\n",
		     gpu->name, st.retry_fault_count);
	igt_assert_eq_u32(st.vm_fault_count, 0);

	/* Mapped now: no more faults. */
	vamdgpu_exec(fd, q, &fill, 1);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_eq_u32(st.retry_fault_count, 4);

	check_fault(gpu, fd, q, VA + 4 * PAGE,
		    VAMDGPU_FAULT_WRITE | VAMDGPU_FAULT_RETRY_FAILED,
		    vamdgpu_submit(fd, q, &bad, 1));
	close(fd);
	free(buf);
	xnack_default(gpu);
}

static void test_xnack_off_lazy(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint8_t *buf = alloc_buf(4 * PAGE, 0);
	uint32_t q = vamdgpu_queue_create(fd);
	struct drm_vamdgpu_cmd read = vamdgpu_cmd_read(VA + 0x10, 4 * PAGE - 0x10);

	igt_assert(!vamdgpu_xnack_enabled(fd));
	vamdgpu_map_userptr(fd, VA, 4 * PAGE, buf, VAMDGPU_VM_MAP_LAZY);
	check_fault(gpu, fd, q, VA + 0x10, 0, vamdgpu_submit(fd, q, &read, 1));
	close(fd);
	free(buf);
}

static void test_page_tables_lost(const struct vamdgpu_gpu *gpu, bool xnack)
{
	int fd = vamdgpu_reopen(gpu->fd);
	uint8_t *eager = alloc_buf(PAGE, 0xe0), *lazy = alloc_buf(PAGE, 0x1a);
	struct drm_vamdgpu_queue_status st;
	uint32_t q;

	vamdgpu_set_xnack(fd, xnack);
	q = vamdgpu_queue_create(fd);
	vamdgpu_map_userptr(fd, VA, PAGE, eager, 0);
	if (xnack) {
		vamdgpu_map_userptr(fd, VA + PAGE, PAGE, lazy, VAMDGPU_VM_MAP_LAZY);
		igt_assert_eq_u64(gpu_read64(fd, q, VA + PAGE), 0x1a1a1a1a1a1a1a1aull);
	}
	igt_assert_eq_u64(gpu_read64(fd, q, VA), 0xe0e0e0e0e0e0e0e0ull);

	igt_assert_f(vamdgpu_lose_page_tables(gpu->info.instance) >= 1,
		     "%s: no VM lost its page table\n", gpu->name);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.state == VAMDGPU_QUEUE_STATE_LOST,
		     "%s: the queue is %s after the page tables were lost, not lost\n",
		     gpu->name, vamdgpu_queue_state_name(st.state));
	vamdgpu_queue_destroy(fd, q);
	q = vamdgpu_queue_create(fd);
	igt_assert_f(gpu_read64(fd, q, VA) == 0xe0e0e0e0e0e0e0e0ull,
		     "%s: the eager mapping reads wrong after the page tables were lost\n",
		     gpu->name);
	vamdgpu_queue_status(fd, q, &st);
	igt_assert_f(st.vm_fault_count == 0 && st.retry_fault_count == 0,
		     "%s: reading the eager mapping after the page tables were lost: %u VM faults, %u retried faults (expected none): its PTE was not written again\n",
		     gpu->name, st.vm_fault_count, st.retry_fault_count);
	if (xnack) {
		igt_assert_eq_u64(gpu_read64(fd, q, VA + PAGE), 0x1a1a1a1a1a1a1a1aull);
		vamdgpu_queue_status(fd, q, &st);
		igt_assert_f(st.retry_fault_count == 1,
			     "%s: the lazy mapping faulted %u times after its PTE was wiped, expected once\n",
			     gpu->name, st.retry_fault_count);
	}
	close(fd);
	free(eager);
	free(lazy);
	xnack_default(gpu);
}

static void test_xnack_mode(const struct vamdgpu_gpu *gpu)
{
	int fd = vamdgpu_reopen(gpu->fd);
	struct drm_vamdgpu_info info;
	int mode = 1, ret;
	uint32_t q;

	igt_assert(!vamdgpu_xnack_enabled(fd));
	if (!vamdgpu_gpu_xnack_capable(gpu)) {
		ret = __vamdgpu_set_xnack(fd, &mode);
		igt_assert_f(ret == -EOPNOTSUPP,
			     "%s: enabling XNACK returned %d (%s), expected -EOPNOTSUPP\n",
			     gpu->name, ret, strerror(-ret));
		igt_assert(!vamdgpu_xnack_enabled(fd));
		close(fd);
		return;
	}

	vamdgpu_set_xnack(fd, true);
	vamdgpu_info(fd, &info);
	igt_assert(info.flags & VAMDGPU_INFO_XNACK_ENABLED);
	/* The mode is the process's: its other file of the GPU has it too. */
	vamdgpu_info(gpu->fd, &info);
	igt_assert_f(info.flags & VAMDGPU_INFO_XNACK_ENABLED,
		     "%s: XNACK on through one file, off through another of the same process\n",
		     gpu->name);

	q = vamdgpu_queue_create(fd);
	mode = 0;
	igt_assert_eq(__vamdgpu_set_xnack(fd, &mode), -EBUSY);
	/* Nor through another file of the process: the queue is the process's. */
	mode = 0;
	ret = __vamdgpu_set_xnack(gpu->fd, &mode);
	igt_assert_f(ret == -EBUSY,
		     "%s: XNACK off through another file while a queue runs XNACK on: %d, expected %d\n",
		     gpu->name, ret, -EBUSY);
	/* Not even to the mode in force, as KFD's SET_XNACK_MODE. */
	mode = 1;
	ret = __vamdgpu_set_xnack(fd, &mode);
	igt_assert_f(ret == -EBUSY,
		     "%s: setting the mode in force while a queue runs: %d, expected %d\n",
		     gpu->name, ret, -EBUSY);
	vamdgpu_queue_destroy(fd, q);
	vamdgpu_set_xnack(fd, false);
	vamdgpu_info(fd, &info);
	igt_assert(!(info.flags & VAMDGPU_INFO_XNACK_ENABLED));
	close(fd);
}

int igt_main()
{
	static struct vamdgpu_gpu gpus[DRM_RENDER_NODES_MAX];
	static int ngpus;

	igt_fixture() {
		ngpus = vamdgpu_gpus_open(gpus, DRM_RENDER_NODES_MAX);
		igt_require_f(ngpus > 0, "no vamdgpu render node\n");
	}

	igt_describe("After a PTE changes without a TLB flush the GPU still reads the old page; after the flush it reads the new one.");
	igt_subtest_with_dynamic("tlb-stale-until-flush") {
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_tlb(&gpus[g]);
	}

	igt_describe("With XNACK off, a read or a write of an unmapped address stops the queue in the error state with that exact address and access type; the commands after it do not run, waits and new submissions fail with EIO.");
	igt_subtest_with_dynamic("vm-fault-xnack-off") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s-read", gpus[g].name)
				test_vm_fault(&gpus[g], false);
			igt_dynamic_f("%s-write", gpus[g].name)
				test_vm_fault(&gpus[g], true);
		}
	}

	igt_describe("A GPU write to a read-only mapping is a VM fault flagged as a permission fault, in each XNACK mode the GPU supports.");
	igt_subtest_with_dynamic("permission-fault") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_permission_fault(&gpus[g], false);
			if (vamdgpu_gpu_xnack_capable(&gpus[g]))
				igt_dynamic_f("%s-xnack-on", gpus[g].name)
					test_permission_fault(&gpus[g], true);
		}
	}

	igt_describe("With XNACK on, accesses to a lazily mapped buffer fault once per page, the fault handler maps each page and the commands complete with the right data; an access nobody can map still stops the queue, flagged as a failed retry.");
	igt_subtest_with_dynamic("xnack-on-retry") {
		for (int g = 0; g < ngpus; g++)
			if (vamdgpu_gpu_xnack_capable(&gpus[g]))
				igt_dynamic_f("%s", gpus[g].name)
					test_xnack_on_retry(&gpus[g]);
	}

	igt_describe("With XNACK off, the first access to a lazily mapped (PTE-less) buffer is a VM fault at its first page: nothing retries.");
	igt_subtest_with_dynamic("xnack-off-lazy-faults") {
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_xnack_off_lazy(&gpus[g]);
	}

	igt_describe("The page tables of the GPU are wiped, as a reset that loses VRAM wipes amdgpu's: the next submission writes the PTEs of hand-made mappings again (no VM fault with XNACK off); with XNACK on a lazy mapping faults again while an eager one does not.");
	igt_subtest_with_dynamic("page-tables-lost") {
		for (int g = 0; g < ngpus; g++) {
			igt_dynamic_f("%s-xnack-off", gpus[g].name)
				test_page_tables_lost(&gpus[g], false);
			if (vamdgpu_gpu_xnack_capable(&gpus[g]))
				igt_dynamic_f("%s-xnack-on", gpus[g].name)
					test_page_tables_lost(&gpus[g], true);
		}
	}

	igt_describe("gfx1100 refuses XNACK on with EOPNOTSUPP; gfx943 switches per process, reports the mode in INFO, and refuses SET_XNACK with EBUSY while the process has a queue, even to the mode in force (as KFD).");
	igt_subtest_with_dynamic("xnack-mode") {
		for (int g = 0; g < ngpus; g++)
			igt_dynamic_f("%s", gpus[g].name)
				test_xnack_mode(&gpus[g]);
	}

	igt_fixture()
		vamdgpu_gpus_close(gpus, ngpus);
}
