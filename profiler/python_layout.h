/* The layout of CPython's structures that the sample handler reads
 * (python.c), one row per supported version: the one place that knows
 * them.  Included by python.c and tests/py_layout_check.c only. */
#ifndef WHYSLOW_PYTHON_LAYOUT_H
#define WHYSLOW_PYTHON_LAYOUT_H

#include <stdint.h>

/* The layout of the interpreter's structures, one row per supported
 * version (x86_64 / LP64).  The 3.11 row is offsetof() of CPython 3.11's
 * own headers (Include/internal/pycore_frame.h, pycore_runtime.h,
 * cpython/code.h, cpython/pystate.h), identical for 3.11.2 (Debian 12) and
 * 3.11.7; tests/py_layout_check.c compares these numbers with offsetof()
 * against the installed headers (test_python_layout.sh).  Not async-signal-
 * relevant: plain data. */
struct py_layout {
	uint32_t version;	      /* major << 8 | minor */
	uint32_t runtime_tss;	      /* _PyRuntimeState.gilstate.autoTSSkey */
	uint32_t tstate_cframe;	      /* PyThreadState.cframe */
	uint32_t tstate_thread_id;    /* PyThreadState.thread_id */
	uint32_t cframe_current;      /* _PyCFrame.current_frame */
	uint32_t frame_code;	      /* _PyInterpreterFrame.f_code */
	uint32_t frame_previous;      /* _PyInterpreterFrame.previous */
	uint32_t frame_prev_instr;    /* _PyInterpreterFrame.prev_instr */
	uint32_t frame_owner;	      /* _PyInterpreterFrame.owner (char) */
	uint32_t frame_is_entry;      /* _PyInterpreterFrame.is_entry (bool) */
	uint32_t owner_generator;     /* FRAME_OWNED_BY_GENERATOR */
	uint32_t code_firstlineno;    /* PyCodeObject.co_firstlineno (int) */
	uint32_t code_filename;	      /* .co_filename */
	uint32_t code_qualname;	      /* .co_qualname */
	uint32_t code_linetable;      /* .co_linetable (bytes) */
	uint32_t code_firsttraceable; /* ._co_firsttraceable (int) */
	uint32_t code_code;	      /* .co_code_adaptive */
	uint32_t ob_type;	      /* PyObject.ob_type */
	uint32_t var_size;	      /* PyVarObject.ob_size */
	uint32_t bytes_sval;	      /* PyBytesObject.ob_sval */
	uint32_t str_length;	      /* PyASCIIObject.length */
	uint32_t str_state;	      /* PyASCIIObject.state */
	uint32_t str_ascii_data;      /* sizeof(PyASCIIObject) */
	uint32_t str_compact_data;    /* sizeof(PyCompactUnicodeObject) */
};

static const struct py_layout ws_py_layouts[] = {
    {0x030b, 592, 56,  152, 8,	 32, 48, 56, 69, 68, 1,	 72,
     112,    128, 136, 168, 184, 8,  16, 32, 16, 32, 48, 72},
};

#endif
