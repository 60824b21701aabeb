/* test_python_layout.sh: the offsets of profiler/python_layout.h against
 * offsetof() in the installed CPython 3.11 headers (internal ones
 * included).  Exit 0 when every field matches, 1 naming each mismatch. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_runtime.h>
#include <stddef.h>
#include <stdio.h>

#include "python_layout.h"

static int bad;

static void
check(const char *what, size_t have, size_t want)
{
	if (have != want) {
		printf("FAIL: %s: python_layout.h says %zu, the headers %zu\n", what, have, want);
		bad = 1;
	}
}

#define C(field, expr) check(#field, L->field, (expr))

int
main(void)
{
	const struct py_layout *L = NULL;
	for (size_t i = 0; i < sizeof ws_py_layouts / sizeof ws_py_layouts[0]; i++)
		if (ws_py_layouts[i].version == ((PY_MAJOR_VERSION << 8) | PY_MINOR_VERSION))
			L = &ws_py_layouts[i];
	if (!L) {
		printf("SKIP: no layout row for Python %d.%d\n", PY_MAJOR_VERSION,
		       PY_MINOR_VERSION);
		return 77;
	}
	C(runtime_tss, offsetof(_PyRuntimeState, gilstate.autoTSSkey));
	C(tstate_cframe, offsetof(PyThreadState, cframe));
	C(tstate_thread_id, offsetof(PyThreadState, thread_id));
	C(cframe_current, offsetof(_PyCFrame, current_frame));
	C(frame_code, offsetof(_PyInterpreterFrame, f_code));
	C(frame_previous, offsetof(_PyInterpreterFrame, previous));
	C(frame_prev_instr, offsetof(_PyInterpreterFrame, prev_instr));
	C(frame_owner, offsetof(_PyInterpreterFrame, owner));
	C(frame_is_entry, offsetof(_PyInterpreterFrame, is_entry));
	C(owner_generator, FRAME_OWNED_BY_GENERATOR);
	C(code_firstlineno, offsetof(PyCodeObject, co_firstlineno));
	C(code_filename, offsetof(PyCodeObject, co_filename));
	C(code_qualname, offsetof(PyCodeObject, co_qualname));
	C(code_linetable, offsetof(PyCodeObject, co_linetable));
	C(code_firsttraceable, offsetof(PyCodeObject, _co_firsttraceable));
	C(code_code, offsetof(PyCodeObject, co_code_adaptive));
	C(ob_type, offsetof(PyObject, ob_type));
	C(var_size, offsetof(PyVarObject, ob_size));
	C(bytes_sval, offsetof(PyBytesObject, ob_sval));
	C(str_length, offsetof(PyASCIIObject, length));
	C(str_state, offsetof(PyASCIIObject, state));
	C(str_ascii_data, sizeof(PyASCIIObject));
	C(str_compact_data, sizeof(PyCompactUnicodeObject));
	check("Py_tss_t._key", 4, offsetof(Py_tss_t, _key));
	check("sizeof(pthread_key_t)", 4, sizeof(pthread_key_t));
	if (!bad)
		printf("python_layout.h matches the Python %s headers\n", PY_VERSION);
	return bad;
}
