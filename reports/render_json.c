/* The report as JSON: schema "whyslow-report", version 1 (docs/cli.md). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "render.h"

enum { PCT = 2, SECONDS = 6, HZ = 1 };

/* "signal": "SIGTRAP", or null when unknown (0) */
static void
key_signal(struct json *j, int sig)
{
	char name[16];
	const char *abbrev = sig ? sigabbrev_np(sig) : NULL;
	if (abbrev)
		snprintf(name, sizeof name, "SIG%s", abbrev);
	json_key_str(j, "signal", abbrev ? name : NULL);
}

static void
key_line(struct json *j, const char *file, unsigned line)
{
	json_key_str(j, "file", file);
	json_key(j, "line");
	if (file && line)
		json_uint(j, line);
	else
		json_null(j);
}

static void
strings(struct json *j, const char *k, char *const *v, size_t n)
{
	json_key(j, k);
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		json_string(j, v[i]);
	json_end_array(j);
}

static void
header(struct json *j, const struct ws_header *h)
{
	json_key(j, "header");
	json_begin_object(j);
	json_key_str(j, "dir", h->dir);
	strings(j, "command", h->command, (size_t)h->argc);
	json_key_double(j, "wall_seconds", h->wall_seconds, SECONDS);
	json_key_double(j, "cpu_seconds", h->cpu_seconds, SECONDS);
	json_key_str(j, "clock", h->clock);
	json_key_str(j, "source", h->source);
	json_key_uint(j, "requested_hz", h->requested_hz);
	key_signal(j, h->signal);
	json_key_double(j, "achieved_hz", h->achieved_hz, HZ);
	json_key_uint(j, "processes", h->processes);
	json_key_uint(j, "threads", h->threads);
	json_key_uint(j, "samples", h->samples);
	json_key_uint(j, "dropped", h->dropped);
	json_key_uint(j, "unwind_failures", h->unwind_failures);
	json_key_uint(j, "truncated", h->truncated);
	json_key_double(j, "overhead_seconds", h->overhead_seconds, SECONDS);
	json_key_double(j, "overhead_percent", h->overhead_percent, PCT);
	json_key_uint(j, "collector_peak_bytes", h->collector_peak_bytes);
	json_key_uint(j, "incomplete_processes", h->incomplete_processes);
	strings(j, "warnings", h->warnings, h->nwarnings);
	strings(j, "notes", h->notes, h->nnotes);
	json_end_object(j);
}

static void
flat(struct json *j, const struct ws_flat *fl)
{
	json_key(j, "flat");
	json_begin_array(j);
	for (size_t i = 0; i < fl->nrows; i++) {
		const struct ws_flat_row *r = &fl->rows[i];
		json_begin_object(j);
		json_key_str(j, "function", r->function);
		json_key_str(j, "module", r->module);
		key_line(j, r->file, r->line);
		json_key(j, "inlined");
		json_bool(j, r->inlined);
		json_key_str(j, "runtime", r->runtime);
		json_key_uint(j, "self_samples", r->self);
		json_key_uint(j, "total_samples", r->total);
		json_key_double(j, "self_percent", r->self_percent, PCT);
		json_key_double(j, "total_percent", r->total_percent, PCT);
		json_key_double(j, "self_error", r->self_error, PCT);
		json_key_double(j, "total_error", r->total_error, PCT);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
tree_node(struct json *j, const struct ws_tree_node *n, bool root)
{
	json_begin_object(j);
	json_key_str(j, "function", n->function);
	json_key_str(j, "module", root ? NULL : n->module);
	json_key(j, "inlined");
	json_bool(j, n->inlined);
	key_line(j, n->file, n->line);
	json_key_uint(j, "total_samples", n->total);
	json_key_uint(j, "self_samples", n->self);
	json_key_double(j, "total_percent", n->total_percent, PCT);
	json_key_double(j, "self_percent", n->self_percent, PCT);
	json_key_uint(j, "hidden_children", n->hidden);
	json_key(j, "children");
	json_begin_array(j);
	for (size_t i = 0; i < n->nchildren; i++)
		tree_node(j, &n->children[i], false);
	json_end_array(j);
	json_end_object(j);
}

static void
lines(struct json *j, const struct ws_lines *l)
{
	json_key(j, "lines");
	json_begin_array(j);
	for (size_t i = 0; i < l->nrows; i++) {
		const struct ws_line_row *r = &l->rows[i];
		json_begin_object(j);
		key_line(j, r->file, r->line);
		json_key_str(j, "function", r->function);
		json_key_str(j, "module", r->module);
		json_key_uint(j, "samples", r->samples);
		json_key_double(j, "percent", r->percent, PCT);
		json_key_double(j, "error", r->error, PCT);
		json_key_str(j, "text", r->text);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
threads(struct json *j, const struct ws_threads *t)
{
	json_key(j, "threads");
	json_begin_array(j);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct ws_thread_row *r = &t->rows[i];
		json_begin_object(j);
		json_key_str(j, "host", r->host);
		json_key_uint(j, "pid", r->pid);
		json_key_uint(j, "tid", r->tid);
		json_key_str(j, "name", r->name);
		json_key_uint(j, "samples", r->samples);
		json_key_double(j, "percent", r->percent, PCT);
		json_key_double(j, "error", r->error, PCT);
		json_key_double(j, "cpu_seconds", r->cpu_seconds, SECONDS);
		json_key_double(j, "wall_seconds", r->wall_seconds, SECONDS);
		json_end_object(j);
	}
	json_end_array(j);
}

/* MPI calls from PMPI: null when no rank recorded them. */
static void
mpi_json(struct json *j, const struct ws_mpi_report *m)
{
	json_key(j, "mpi");
	if (!m->library) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_key_str(j, "library", m->library);
	json_key_uint(j, "world_size", m->world_size);
	json_key_double(j, "window_seconds", m->window_seconds, SECONDS);
	json_key_double(j, "mpi_seconds", m->mpi_seconds, SECONDS);
	json_key_double(j, "mpi_percent", m->mpi_percent, PCT);
	json_key_bool(j, "communication_bound", m->communication_bound);
	json_key_double(j, "compute_imbalance", m->compute_imbalance, 3);
	json_key(j, "most_computing_rank");
	if (m->most_computing < m->nranks)
		json_int(j, m->ranks[m->most_computing].rank);
	else
		json_null(j);
	json_key(j, "most_waiting_rank");
	if (m->most_waiting < m->nranks)
		json_int(j, m->ranks[m->most_waiting].rank);
	else
		json_null(j);
	json_key(j, "ranks");
	json_begin_array(j);
	for (size_t i = 0; i < m->nranks; i++) {
		const struct ws_mpi_rank *r = &m->ranks[i];
		json_begin_object(j);
		json_key_uint(j, "rank", (uint64_t)r->rank);
		json_key_uint(j, "pid", r->pid);
		json_key_str(j, "host", r->host);
		json_key_double(j, "window_seconds", r->window_seconds, SECONDS);
		json_key_double(j, "mpi_seconds", r->mpi_seconds, SECONDS);
		json_key_double(j, "compute_seconds", r->compute_seconds, SECONDS);
		json_key_double(j, "waiting_seconds", r->waiting_seconds, SECONDS);
		json_key_double(j, "mpi_percent", r->mpi_percent, PCT);
		json_key_str(j, "top_call", r->top_call);
		json_key_bool(j, "finalized", r->finalized);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "calls");
	json_begin_array(j);
	for (size_t i = 0; i < m->ncalls; i++) {
		const struct ws_mpi_call_row *c = &m->calls[i];
		json_begin_object(j);
		json_key_str(j, "name", c->name);
		json_key_str(j, "kind", ws_mpi_kind_name(c->kind));
		json_key_uint(j, "calls", c->calls);
		json_key_double(j, "seconds", c->seconds, SECONDS);
		json_key_double(j, "percent", c->percent, PCT);
		json_key_double(j, "mean_us", c->mean_us, 3);
		json_key_double(j, "max_ms", c->max_ms, 3);
		json_key_uint(j, "bytes", c->bytes);
		json_key_double(j, "rank_min_seconds", c->rank_min_s, SECONDS);
		json_key_double(j, "rank_max_seconds", c->rank_max_s, SECONDS);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

/* OpenMP regions from OMPT: null when none were recorded. */
static void
openmp(struct json *j, const struct ws_omp *o)
{
	json_key(j, "openmp");
	if (!o->runtime) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_key_str(j, "runtime", o->runtime);
	json_key_uint(j, "processes", o->nprocs);
	json_key_double(j, "wall_seconds", o->wall_seconds, SECONDS);
	json_key_double(j, "inside_seconds", o->inside_seconds, SECONDS);
	json_key_double(j, "serial_percent", o->serial_percent, PCT);
	json_key_uint(j, "lost_regions", o->lost_regions);
	json_key(j, "regions");
	json_begin_array(j);
	for (size_t i = 0; i < o->nrows; i++) {
		const struct ws_omp_region *r = &o->rows[i];
		json_begin_object(j);
		json_key_str(j, "host", r->host);
		json_key_uint(j, "pid", r->pid);
		json_key_str(j, "function", r->function);
		json_key_str(j, "module", r->module);
		key_line(j, r->file, r->line);
		json_key_uint(j, "instances", r->instances);
		json_key_uint(j, "team", r->team);
		json_key_double(j, "seconds", r->seconds, SECONDS);
		json_key_double(j, "percent", r->percent, PCT);
		json_key_double(j, "work_min_seconds", r->work_min, SECONDS);
		json_key_double(j, "work_mean_seconds", r->work_mean, SECONDS);
		json_key_double(j, "work_max_seconds", r->work_max, SECONDS);
		json_key_uint(j, "busiest_thread_num", r->busiest);
		json_key_double(j, "imbalance", r->imbalance, 3);
		json_key_double(j, "cpu_imbalance", r->cpu_imbalance, 3);
		json_key_double(j, "wait_seconds", r->wait_seconds, SECONDS);
		json_key_double(j, "wait_percent", r->wait_percent, PCT);
		json_key(j, "threads");
		json_begin_array(j);
		for (uint32_t k = 0; k < r->nthreads; k++) {
			const struct ws_omp_thread *t = &r->threads[k];
			if (!t->tasks)
				continue;
			json_begin_object(j);
			json_key_uint(j, "thread_num", t->thread_num);
			json_key_uint(j, "tasks", t->tasks);
			json_key_double(j, "work_seconds", t->work_seconds, SECONDS);
			json_key_double(j, "wait_seconds", t->wait_seconds, SECONDS);
			json_key_double(j, "cpu_seconds", t->cpu_seconds, SECONDS);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void
busy(struct json *j, const struct ws_busy *b)
{
	json_key(j, "threads_busy");
	json_begin_object(j);
	json_key_str(j, "clock", b->wall ? "wall" : "cpu");
	json_key_double(j, "imbalance", b->imbalance, 3);
	json_key_uint(j, "threads_took_part", b->took_part);
	json_key_bool(j, "imbalanced", b->imbalanced);
	json_key_double(j, "idle_percent", b->idle_percent, PCT);
	json_key_double(j, "runtime_percent", b->runtime_percent, PCT);
	json_key_double(j, "blocked_percent", b->blocked_percent, PCT);
	json_key_double(j, "lock_percent", b->lock_percent, PCT);
	json_key_bool(j, "lock_contention", b->lock_contention);
	json_key_double(j, "runtime_min_percent", b->runtime_min_percent, PCT);
	json_key_bool(j, "scheduling_overhead", b->scheduling_overhead);
	json_key(j, "busiest");
	if (b->busiest < b->nrows) {
		const struct ws_busy_row *r = &b->rows[b->busiest];
		json_begin_object(j);
		json_key_str(j, "host", r->host);
		json_key_uint(j, "pid", r->pid);
		json_key_uint(j, "tid", r->tid);
		json_key(j, "hot_line");
		if (b->busiest_lines.nrows) {
			const struct ws_line_row *l = &b->busiest_lines.rows[0];
			json_begin_object(j);
			key_line(j, l->file, l->line);
			json_key_str(j, "function", l->function);
			json_key_uint(j, "samples", l->samples);
			json_key_double(j, "percent", l->percent, PCT);
			json_key_str(j, "text", l->text);
			json_end_object(j);
		} else {
			json_null(j);
		}
		json_end_object(j);
	} else {
		json_null(j);
	}
	json_key(j, "threads");
	json_begin_array(j);
	for (size_t i = 0; i < b->nrows; i++) {
		const struct ws_busy_row *r = &b->rows[i];
		json_begin_object(j);
		json_key_str(j, "host", r->host);
		json_key_uint(j, "pid", r->pid);
		json_key_uint(j, "tid", r->tid);
		json_key_str(j, "name", r->name);
		json_key_uint(j, "samples", r->samples);
		json_key_uint(j, "busy_samples", r->busy);
		json_key_uint(j, "runtime_samples", r->runtime);
		json_key_uint(j, "idle_samples", r->idle);
		json_key_uint(j, "lock_samples", r->lock);
		json_key_double(j, "busy_seconds", r->busy_seconds, SECONDS);
		json_key_double(j, "runtime_seconds", r->runtime_seconds, SECONDS);
		json_key_double(j, "idle_seconds", r->idle_seconds, SECONDS);
		json_key_double(j, "busy_percent", r->busy_percent, PCT);
		json_key_bool(j, "took_part", r->took_part);
		json_end_object(j);
	}
	json_end_array(j);
	openmp(j, &b->omp);
	json_end_object(j);
}

static void
key_tristate(struct json *j, const char *k, int v)
{
	json_key(j, k);
	if (v < 0)
		json_null(j);
	else
		json_bool(j, v > 0);
}

static void
mix(struct json *j, const char *k, const struct ws_mix *m)
{
	json_key(j, k);
	json_begin_object(j);
	json_key_double(j, "instructions", m->instructions, PCT);
	json_key_double(j, "fp_scalar_single", m->scalar[0], PCT);
	json_key_double(j, "fp_scalar_double", m->scalar[1], PCT);
	json_key_double(j, "fp_scalar_x87", m->scalar[2], PCT);
	json_key_double(j, "fp_packed_single", m->packed[0], PCT);
	json_key_double(j, "fp_packed_double", m->packed[1], PCT);
	json_key_double(j, "fp_128", m->width[0], PCT);
	json_key_double(j, "fp_256", m->width[1], PCT);
	json_key_double(j, "fp_512", m->width[2], PCT);
	json_key_double(j, "fma", m->fma, PCT);
	json_key_double(j, "fp_other", m->fp_other, PCT);
	json_key_double(j, "int_simd", m->int_simd, PCT);
	json_key_double(j, "calls", m->calls, PCT);
	json_end_object(j);
}

static void
vfacts(struct json *j, const struct ws_vfacts *f)
{
	json_key_str(j, "class", ws_vclass_name(f->vclass));
	json_key_double(j, "packed_percent", f->packed_percent, PCT);
	json_key_uint(j, "vector_bits", f->vector_bits);
	json_key_str(j, "element", ws_elem_name(f->elem));
	json_key_bool(j, "fma", f->fma);
}

static void
producer(struct json *j, const struct ws_vfunction *f)
{
	json_key(j, "producer");
	if (!f->have_producer) {
		json_null(j);
		return;
	}
	const struct ws_producer *p = &f->producer;
	json_begin_object(j);
	json_key_str(j, "text", p->text);
	json_key_str(j, "compiler", p->compiler);
	json_key_str(j, "version", p->version);
	json_key_str(j, "language", p->language);
	json_key_bool(j, "flags_recorded", p->flags_recorded);
	json_key_str(j, "opt", p->opt[0] ? p->opt : NULL);
	json_key_str(j, "march", p->march);
	json_key_str(j, "mtune", p->mtune);
	json_key_bool(j, "fast_math", p->fast_math);
	json_key_bool(j, "fp_contract_off", p->fp_contract_off);
	key_tristate(j, "tree_vectorize", p->tree_vectorize);
	key_tristate(j, "vectoriser", p->vectoriser);
	json_key_str(j, "isa", p->isa);
	json_key(j, "isa_bits");
	if (p->isa_bits)
		json_uint(j, p->isa_bits);
	else
		json_null(j);
	json_key_bool(j, "fma", p->fma);
	json_end_object(j);
}

static void
vloop(struct json *j, const struct ws_vloop *l)
{
	json_begin_object(j);
	json_key_uint(j, "start", l->start);
	json_key_uint(j, "end", l->end);
	json_key_uint(j, "offset", l->offset);
	json_key_uint(j, "depth", l->depth);
	json_key_bool(j, "innermost", l->innermost);
	json_key_str(j, "file", l->file);
	json_key(j, "first_line");
	if (l->file)
		json_uint(j, l->first_line);
	else
		json_null(j);
	json_key(j, "last_line");
	if (l->file)
		json_uint(j, l->last_line);
	else
		json_null(j);
	json_key_uint(j, "samples", l->samples);
	json_key_uint(j, "own_samples", l->own_samples);
	json_key_double(j, "percent", l->percent, PCT);
	vfacts(j, &l->facts);
	mix(j, "sampled_mix", &l->sampled);
	mix(j, "static_mix", &l->stat);
	json_key_str(j, "verdict", l->verdict);
	json_key(j, "remarks");
	json_begin_array(j);
	for (size_t r = 0; r < l->nremarks; r++) {
		json_begin_object(j);
		json_key_str(j, "kind", l->remarks[r].kind);
		json_key_str(j, "file", l->remarks[r].file);
		json_key_uint(j, "line", l->remarks[r].line);
		json_key_str(j, "text", l->remarks[r].text);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void
vector(struct json *j, const struct ws_vector *v)
{
	json_key(j, "vector");
	json_begin_object(j);
	json_key(j, "cpu");
	json_begin_object(j);
	json_key_str(j, "widest", v->cpu.widest);
	json_key_uint(j, "bits", v->cpu.bits);
	json_key_bool(j, "fma", v->cpu.fma);
	json_key_str(j, "source", "cpuid of the machine running the report");
	json_end_object(j);
	json_key_uint(j, "samples", v->samples);
	json_key_uint(j, "unanalysed_samples", v->unanalysed);
	json_key_uint(j, "functions_with_samples", v->nfunctions);
	json_key(j, "functions");
	json_begin_array(j);
	for (size_t i = 0; i < v->nfns; i++) {
		const struct ws_vfunction *f = &v->fns[i];
		json_begin_object(j);
		json_key_str(j, "function", f->function);
		json_key_str(j, "module", f->module);
		key_line(j, f->file, f->line);
		json_key_uint(j, "samples", f->samples);
		json_key_double(j, "percent", f->percent, PCT);
		json_key_double(j, "error", f->error, PCT);
		json_key_bool(j, "analysed", !f->why_not);
		json_key_str(j, "why_not", f->why_not);
		if (!f->why_not) {
			json_key_uint(j, "start", f->start);
			json_key_uint(j, "size", f->size);
			json_key_str(j, "source", f->source);
			producer(j, f);
			vfacts(j, &f->facts);
			mix(j, "sampled_mix", &f->sampled);
			mix(j, "static_mix", &f->stat);
			json_key_str(j, "verdict", f->verdict);
			json_key_uint(j, "loops_found", f->nall_loops);
			json_key(j, "loops");
			json_begin_array(j);
			for (size_t l = 0; l < f->nloops; l++)
				vloop(j, &f->loops[l]);
			json_end_array(j);
			json_key_str(j, "opt_record", f->opt_record);
			json_key_str(j, "opt_record_hint", f->opt_record_hint);
		}
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void
processes(struct json *j, const struct ws_processes *p)
{
	json_key(j, "processes");
	json_begin_array(j);
	for (size_t i = 0; i < p->nrows; i++) {
		const struct ws_process_row *r = &p->rows[i];
		json_begin_object(j);
		json_key_str(j, "host", r->host);
		json_key_uint(j, "pid", r->pid);
		json_key_uint(j, "ppid", r->ppid);
		json_key(j, "rank");
		if (r->rank >= 0)
			json_int(j, r->rank);
		else
			json_null(j);
		json_key_str(j, "file", r->file);
		strings(j, "command", r->argv, (size_t)r->argc);
		json_key(j, "complete");
		json_bool(j, r->complete);
		json_key_str(j, "end", r->end);
		json_key(j, "status");
		if (r->complete)
			json_int(j, r->status);
		else
			json_null(j);
		json_key_uint(j, "samples", r->samples);
		json_key_uint(j, "threads", r->threads);
		key_signal(j, r->signal);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
expectations(struct json *j, const struct ws_expectations *x)
{
	if (!x)
		return;
	json_key(j, "expectations");
	json_begin_array(j);
	for (size_t i = 0; i < x->n; i++) {
		json_begin_object(j);
		json_key_str(j, "expect", x->expect[i].text);
		json_key(j, "passed");
		json_bool(j, x->result[i].passed);
		json_key_str(j, "measured", x->result[i].measured);
		json_end_object(j);
	}
	json_end_array(j);
}

int
ws_render_json(FILE *f, const struct ws_report *r)
{
	struct json j;
	json_init(&j, f, true);
	json_begin_object(&j);
	json_key_str(&j, "schema", "whyslow-report");
	json_key_uint(&j, "version", 1);
	header(&j, r->header);
	flat(&j, r->flat);
	if (r->tree) {
		json_key(&j, "tree");
		tree_node(&j, &r->tree->root, true);
	}
	if (r->lines)
		lines(&j, r->lines);
	if (r->threads)
		threads(&j, r->threads);
	if (r->busy)
		busy(&j, r->busy);
	if (r->mpi)
		mpi_json(&j, r->mpi);
	if (r->vector)
		vector(&j, r->vector);
	if (r->heapmem)
		ws_render_heap_json(&j, r->heapmem);
	if (r->gpu)
		ws_render_gpu_json(&j, r->gpu);
	if (r->counters)
		ws_json_counters(&j, r->counters);
	if (r->python)
		ws_json_python(&j, r->python);
	if (r->access)
		ws_json_access(&j, r->access);
	if (r->access)
		ws_json_roofline(&j, r->roofline, r->roofline_why);
	processes(&j, r->processes);
	expectations(&j, r->expectations);
	if (r->plot_output) { /* --plot FILE (term is not allowed with --json) */
		json_key(&j, "plot");
		json_begin_object(&j);
		json_key_str(&j, "output", r->plot_output);
		json_key_str(&j, "script", r->plot_script);
		json_end_object(&j);
	}
	json_end_object(&j);
	return json_finish(&j);
}

static const char *const presence_name[] = {"both", "before", "after"};

static void
pair(struct json *j, const char *k, const double v[2], int decimals)
{
	json_key(j, k);
	json_begin_array(j);
	json_double(j, v[0], decimals);
	json_double(j, v[1], decimals);
	json_end_array(j);
}

static void
upair(struct json *j, const char *k, const uint64_t v[2])
{
	json_key(j, k);
	json_begin_array(j);
	json_uint(j, v[0]);
	json_uint(j, v[1]);
	json_end_array(j);
}

int
ws_render_compare_json(FILE *f, const struct ws_compare_report *r)
{
	const struct ws_compare *c = r->cmp;
	struct json j;
	json_init(&j, f, true);
	json_begin_object(&j);
	json_key_str(&j, "schema", "whyslow-compare");
	json_key_uint(&j, "version", 1);
	json_key(&j, "before");
	json_begin_object(&j);
	header(&j, r->header[0]);
	json_end_object(&j);
	json_key(&j, "after");
	json_begin_object(&j);
	header(&j, r->header[1]);
	json_end_object(&j);
	json_key_double(&j, "speedup", c->speedup, 3);
	json_key_double(&j, "cpu_speedup", c->cpu_speedup, 3);
	json_key(&j, "functions");
	json_begin_array(&j);
	for (size_t i = 0; i < c->nfns; i++) {
		const struct ws_compare_fn *fn = &c->fns[i];
		json_begin_object(&j);
		json_key_str(&j, "function", fn->function);
		json_key_str(&j, "module", fn->module);
		key_line(&j, fn->file, fn->line);
		json_key(&j, "inlined");
		json_bool(&j, fn->inlined);
		json_key_str(&j, "in", presence_name[fn->presence]);
		upair(&j, "self_samples", fn->self);
		upair(&j, "total_samples", fn->total);
		pair(&j, "self_seconds", fn->self_s, SECONDS);
		pair(&j, "total_seconds", fn->total_s, SECONDS);
		pair(&j, "self_percent", fn->self_percent, PCT);
		json_end_object(&j);
	}
	json_end_array(&j);
	if (c->lines) {
		json_key(&j, "lines");
		json_begin_array(&j);
		for (size_t i = 0; i < c->nlines; i++) {
			const struct ws_compare_line *l = &c->lines[i];
			json_begin_object(&j);
			key_line(&j, l->file, l->line);
			json_key_str(&j, "function", l->function);
			json_key_str(&j, "in", presence_name[l->presence]);
			upair(&j, "samples", l->samples);
			pair(&j, "seconds", l->seconds, SECONDS);
			json_key_str(&j, "text", l->text);
			json_end_object(&j);
		}
		json_end_array(&j);
	}
	ws_json_changed(&j, r->changed);
	expectations(&j, r->expectations);
	json_end_object(&j);
	return json_finish(&j);
}
