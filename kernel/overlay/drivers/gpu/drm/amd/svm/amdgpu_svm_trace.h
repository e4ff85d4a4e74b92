/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Tracepoints of the amdgpu SVM core: migrations, GPU faults, invalidations
 * and restores, under the trace system "amdgpu_svm" (see DOC: Tracepoints
 * in amdgpu_svm_core.c).
 *
 * Copyright 2026 The amdgpu-svm authors
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM amdgpu_svm

#if !defined(_AMDGPU_SVM_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _AMDGPU_SVM_TRACE_H_

#include <linux/tracepoint.h>

TRACE_EVENT(amdgpu_svm_migrate,
	    TP_PROTO(u32 gpu_id, unsigned long start, unsigned long end, u32 to,
		     bool fault, int ret),
	    TP_ARGS(gpu_id, start, end, to, fault, ret),
	    TP_STRUCT__entry(__field(u32, gpu_id)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(u32, to)
			     __field(bool, fault)
			     __field(int, ret)),
	    TP_fast_assign(__entry->gpu_id = gpu_id;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->to = to;
			   __entry->fault = fault;
			   __entry->ret = ret;),
	    TP_printk("gpu_id=%u start=0x%lx end=0x%lx to=%s(0x%x) by=%s ret=%d",
		      __entry->gpu_id, __entry->start, __entry->end,
		      __entry->to == 0 ? "sysmem" : "vram", __entry->to,
		      __entry->fault ? "fault" : "set_attr", __entry->ret)
);

TRACE_EVENT(amdgpu_svm_fault,
	    TP_PROTO(u32 gpu_id, unsigned long addr, bool write, int ret),
	    TP_ARGS(gpu_id, addr, write, ret),
	    TP_STRUCT__entry(__field(u32, gpu_id)
			     __field(unsigned long, addr)
			     __field(bool, write)
			     __field(int, ret)),
	    TP_fast_assign(__entry->gpu_id = gpu_id;
			   __entry->addr = addr;
			   __entry->write = write;
			   __entry->ret = ret;),
	    TP_printk("gpu_id=%u addr=0x%lx %s ret=%d", __entry->gpu_id,
		      __entry->addr, __entry->write ? "write" : "read",
		      __entry->ret)
);

TRACE_EVENT(amdgpu_svm_invalidate,
	    TP_PROTO(u32 gpu_id, unsigned long start, unsigned long end,
		     int event, bool mapped),
	    TP_ARGS(gpu_id, start, end, event, mapped),
	    TP_STRUCT__entry(__field(u32, gpu_id)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(int, event)
			     __field(bool, mapped)),
	    TP_fast_assign(__entry->gpu_id = gpu_id;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->event = event;
			   __entry->mapped = mapped;),
	    TP_printk("gpu_id=%u start=0x%lx end=0x%lx event=%d mapped=%d",
		      __entry->gpu_id, __entry->start, __entry->end,
		      __entry->event, __entry->mapped)
);

TRACE_EVENT(amdgpu_svm_invalidate_done,
	    TP_PROTO(u32 gpu_id, unsigned int ranges, unsigned int zapped),
	    TP_ARGS(gpu_id, ranges, zapped),
	    TP_STRUCT__entry(__field(u32, gpu_id)
			     __field(unsigned int, ranges)
			     __field(unsigned int, zapped)),
	    TP_fast_assign(__entry->gpu_id = gpu_id;
			   __entry->ranges = ranges;
			   __entry->zapped = zapped;),
	    TP_printk("gpu_id=%u ranges=%u zapped=%u", __entry->gpu_id,
		      __entry->ranges, __entry->zapped)
);

TRACE_EVENT(amdgpu_svm_ptes_lost,
	    TP_PROTO(u32 gpu_id, unsigned int zapped),
	    TP_ARGS(gpu_id, zapped),
	    TP_STRUCT__entry(__field(u32, gpu_id)
			     __field(unsigned int, zapped)),
	    TP_fast_assign(__entry->gpu_id = gpu_id;
			   __entry->zapped = zapped;),
	    TP_printk("gpu_id=%u zapped=%u", __entry->gpu_id, __entry->zapped)
);

TRACE_EVENT(amdgpu_svm_restore,
	    TP_PROTO(pid_t tgid, int ret, bool pending, unsigned int failures),
	    TP_ARGS(tgid, ret, pending, failures),
	    TP_STRUCT__entry(__field(pid_t, tgid)
			     __field(int, ret)
			     __field(bool, pending)
			     __field(unsigned int, failures)),
	    TP_fast_assign(__entry->tgid = tgid;
			   __entry->ret = ret;
			   __entry->pending = pending;
			   __entry->failures = failures;),
	    TP_printk("tgid=%d ret=%d pending=%d failures=%u", __entry->tgid,
		      __entry->ret, __entry->pending, __entry->failures)
);

#endif /* _AMDGPU_SVM_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE amdgpu_svm_trace
#include <trace/define_trace.h>
