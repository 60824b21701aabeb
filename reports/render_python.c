/* whyslow report --python: text and JSON (see python_report.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "python_report.h"
#include "render.h"
#include "text_table.h"
#include "util.h"

static void
table(struct out *o, const struct ws_python *py, const struct ws_py_row *rows, size_t n,
      int kind /* 0 functions, 1 lines, 2 stacks */)
{
	struct table tb = {0};
	const char *what = kind == 0   ? "Python function"
			   : kind == 1 ? "Python line"
				       : "Python stack";
	tt_col(&tb, what, false, tt_name_room(o, 50, 60));
	tt_col(&tb, "self s", true, 0);
	tt_col(&tb, "self %", true, 0);
	if (kind == 0)
		tt_col(&tb, "total %", true, 0);
	tt_col(&tb, "interp %", true, 0);
	tt_col(&tb, "native %", true, 0);
	for (size_t i = 0; i < n; i++) {
		const struct ws_py_row *r = &rows[i];
		struct cell *row = tt_row(&tb);
		size_t c = 0;
		if (kind == 2)
			tt_set(&tb, row, c++, PLAIN, ws_xstrdup(r->stack));
		else
			tt_set(&tb, row, c++, PLAIN,
			       ws_xasprintf("%s (%s:%d)", *r->function ? r->function : "?",
					    *r->file ? tt_short_path(o, r->file) : "?", r->line));
		tt_set(&tb, row, c++, PLAIN,
		       ws_xasprintf("%.3f", (double)r->self * py->seconds_per_sample));
		tt_set(&tb, row, c++, PLAIN, tt_pct(ws_percent(r->self, py->samples)));
		if (kind == 0)
			tt_set(&tb, row, c++, PLAIN, tt_pct(ws_percent(r->total, py->samples)));
		/* no self time: nothing to split */
		tt_set(&tb, row, c++, PLAIN,
		       r->self ? tt_pct(ws_percent(r->self - r->native, r->self))
			       : ws_xstrdup("-"));
		tt_set(&tb, row, c++, PLAIN,
		       r->self ? tt_pct(ws_percent(r->native, r->self)) : ws_xstrdup("-"));
	}
	tt_print(o, &tb, "  ");
}

void
ws_text_python(struct out *o, const struct ws_python *py)
{
	tt_title(o, "Python: functions, lines and stacks (self: innermost Python frame; interp / "
		    "native: of self, the sampled instruction in the interpreter or in native "
		    "code it called)");
	if (!py->threads) {
		fputs("  no Python frames were recorded (the program is not CPython 3.11, or no "
		      "sample found a Python frame: see the notes)\n",
		      o->f);
		return;
	}
	fprintf(o->f,
		"  Python %u.%u.%u; %zu thread%s with Python frames; %" PRIu64 " of %" PRIu64
		" samples (%.1f%%) found Python frames, %.1f%% of them in native code\n",
		py->py_version >> 24, (py->py_version >> 16) & 0xff, (py->py_version >> 8) & 0xff,
		py->threads, py->threads == 1 ? "" : "s", py->py_samples, py->samples,
		ws_percent(py->py_samples, py->samples), ws_percent(py->py_native, py->py_samples));
	table(o, py, py->funcs, py->nfuncs, 0);
	fputc('\n', o->f);
	table(o, py, py->lines, py->nlines, 1);
	fputc('\n', o->f);
	table(o, py, py->stacks, py->nstacks, 2);
}

static void
json_rows(struct json *j, const char *key, const struct ws_py_row *rows, size_t n,
	  const struct ws_python *py, int kind)
{
	json_key(j, key);
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		const struct ws_py_row *r = &rows[i];
		json_begin_object(j);
		if (kind == 2) {
			json_key(j, "stack");
			json_string(j, r->stack);
		} else {
			json_key(j, "function");
			json_string(j, r->function);
			json_key(j, "file");
			json_string(j, r->file);
			json_key(j, kind == 0 ? "first_line" : "line");
			json_int(j, r->line);
		}
		json_key(j, "self_samples");
		json_uint(j, r->self);
		json_key(j, "self_seconds");
		json_double(j, (double)r->self * py->seconds_per_sample, 6);
		json_key(j, "self_percent");
		json_double(j, ws_percent(r->self, py->samples), 3);
		if (kind == 0) {
			json_key(j, "total_samples");
			json_uint(j, r->total);
			json_key(j, "total_percent");
			json_double(j, ws_percent(r->total, py->samples), 3);
		}
		json_key(j, "native_samples");
		json_uint(j, r->native);
		json_key(j, "native_percent");
		json_double(j, ws_percent(r->native, r->self), 3);
		json_end_object(j);
	}
	json_end_array(j);
}

void
ws_json_python(struct json *j, const struct ws_python *py)
{
	json_key(j, "python");
	json_begin_object(j);
	json_key(j, "version");
	if (py->py_version) {
		char v[32];
		snprintf(v, sizeof v, "%u.%u.%u", py->py_version >> 24,
			 (py->py_version >> 16) & 0xff, (py->py_version >> 8) & 0xff);
		json_string(j, v);
	} else {
		json_null(j);
	}
	json_key(j, "threads");
	json_uint(j, py->threads);
	json_key(j, "samples");
	json_uint(j, py->samples);
	json_key(j, "python_samples");
	json_uint(j, py->py_samples);
	json_key(j, "native_samples");
	json_uint(j, py->py_native);
	json_rows(j, "functions", py->funcs, py->nfuncs, py, 0);
	json_rows(j, "lines", py->lines, py->nlines, py, 1);
	json_rows(j, "stacks", py->stacks, py->nstacks, py, 2);
	json_end_object(j);
}
