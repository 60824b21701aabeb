/* The report as JSON: schema "whyslow-report", version 1 (docs/cli.md). */
#include "config.h"

#include "json.h"
#include "render.h"

enum { PCT = 2, SECONDS = 6, HZ = 1 };

static void
key_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_string(j, v);
}

static void
key_uint(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_uint(j, v);
}

static void
key_double(struct json *j, const char *k, double v, int decimals)
{
	json_key(j, k);
	json_double(j, v, decimals);
}

static void
key_line(struct json *j, const char *file, unsigned line)
{
	key_str(j, "file", file);
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
	key_str(j, "dir", h->dir);
	strings(j, "command", h->command, (size_t)h->argc);
	key_double(j, "wall_seconds", h->wall_seconds, SECONDS);
	key_double(j, "cpu_seconds", h->cpu_seconds, SECONDS);
	key_str(j, "clock", h->clock);
	key_str(j, "source", h->source);
	key_uint(j, "requested_hz", h->requested_hz);
	key_double(j, "achieved_hz", h->achieved_hz, HZ);
	key_uint(j, "processes", h->processes);
	key_uint(j, "threads", h->threads);
	key_uint(j, "samples", h->samples);
	key_uint(j, "dropped", h->dropped);
	key_uint(j, "unwind_failures", h->unwind_failures);
	key_uint(j, "truncated", h->truncated);
	key_double(j, "overhead_seconds", h->overhead_seconds, SECONDS);
	key_double(j, "overhead_percent", h->overhead_percent, PCT);
	key_uint(j, "collector_peak_bytes", h->collector_peak_bytes);
	key_uint(j, "incomplete_processes", h->incomplete_processes);
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
		key_str(j, "function", r->function);
		key_str(j, "module", r->module);
		key_line(j, r->file, r->line);
		json_key(j, "inlined");
		json_bool(j, r->inlined);
		key_uint(j, "self_samples", r->self);
		key_uint(j, "total_samples", r->total);
		key_double(j, "self_percent", r->self_percent, PCT);
		key_double(j, "total_percent", r->total_percent, PCT);
		key_double(j, "self_error", r->self_error, PCT);
		key_double(j, "total_error", r->total_error, PCT);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
tree_node(struct json *j, const struct ws_tree_node *n, bool root)
{
	json_begin_object(j);
	key_str(j, "function", n->function);
	key_str(j, "module", root ? NULL : n->module);
	json_key(j, "inlined");
	json_bool(j, n->inlined);
	key_line(j, n->file, n->line);
	key_uint(j, "total_samples", n->total);
	key_uint(j, "self_samples", n->self);
	key_double(j, "total_percent", n->total_percent, PCT);
	key_double(j, "self_percent", n->self_percent, PCT);
	key_uint(j, "hidden_children", n->hidden);
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
		key_str(j, "function", r->function);
		key_str(j, "module", r->module);
		key_uint(j, "samples", r->samples);
		key_double(j, "percent", r->percent, PCT);
		key_double(j, "error", r->error, PCT);
		key_str(j, "text", r->text);
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
		key_uint(j, "pid", r->pid);
		key_uint(j, "tid", r->tid);
		key_str(j, "name", r->name);
		key_uint(j, "samples", r->samples);
		key_double(j, "percent", r->percent, PCT);
		key_double(j, "error", r->error, PCT);
		key_double(j, "cpu_seconds", r->cpu_seconds, SECONDS);
		key_double(j, "wall_seconds", r->wall_seconds, SECONDS);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
key_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
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
	key_str(j, "library", m->library);
	key_uint(j, "world_size", m->world_size);
	key_double(j, "window_seconds", m->window_seconds, SECONDS);
	key_double(j, "mpi_seconds", m->mpi_seconds, SECONDS);
	key_double(j, "mpi_percent", m->mpi_percent, PCT);
	key_bool(j, "communication_bound", m->communication_bound);
	key_double(j, "compute_imbalance", m->compute_imbalance, 3);
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
		key_uint(j, "rank", (uint64_t)r->rank);
		key_uint(j, "pid", r->pid);
		key_str(j, "host", r->host);
		key_double(j, "window_seconds", r->window_seconds, SECONDS);
		key_double(j, "mpi_seconds", r->mpi_seconds, SECONDS);
		key_double(j, "compute_seconds", r->compute_seconds, SECONDS);
		key_double(j, "waiting_seconds", r->waiting_seconds, SECONDS);
		key_double(j, "mpi_percent", r->mpi_percent, PCT);
		key_str(j, "top_call", r->top_call);
		key_bool(j, "finalized", r->finalized);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "calls");
	json_begin_array(j);
	for (size_t i = 0; i < m->ncalls; i++) {
		const struct ws_mpi_call_row *c = &m->calls[i];
		json_begin_object(j);
		key_str(j, "name", c->name);
		key_str(j, "kind", ws_mpi_kind_name(c->kind));
		key_uint(j, "calls", c->calls);
		key_double(j, "seconds", c->seconds, SECONDS);
		key_double(j, "percent", c->percent, PCT);
		key_double(j, "mean_us", c->mean_us, 3);
		key_double(j, "max_ms", c->max_ms, 3);
		key_uint(j, "bytes", c->bytes);
		key_double(j, "rank_min_seconds", c->rank_min_s, SECONDS);
		key_double(j, "rank_max_seconds", c->rank_max_s, SECONDS);
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
	key_str(j, "runtime", o->runtime);
	key_uint(j, "processes", o->nprocs);
	key_double(j, "wall_seconds", o->wall_seconds, SECONDS);
	key_double(j, "inside_seconds", o->inside_seconds, SECONDS);
	key_double(j, "serial_percent", o->serial_percent, PCT);
	key_uint(j, "lost_regions", o->lost_regions);
	json_key(j, "regions");
	json_begin_array(j);
	for (size_t i = 0; i < o->nrows; i++) {
		const struct ws_omp_region *r = &o->rows[i];
		json_begin_object(j);
		key_uint(j, "pid", r->pid);
		key_str(j, "function", r->function);
		key_str(j, "module", r->module);
		key_line(j, r->file, r->line);
		key_uint(j, "instances", r->instances);
		key_uint(j, "team", r->team);
		key_double(j, "seconds", r->seconds, SECONDS);
		key_double(j, "percent", r->percent, PCT);
		key_double(j, "work_min_seconds", r->work_min, SECONDS);
		key_double(j, "work_mean_seconds", r->work_mean, SECONDS);
		key_double(j, "work_max_seconds", r->work_max, SECONDS);
		key_uint(j, "busiest_thread_num", r->busiest);
		key_double(j, "imbalance", r->imbalance, 3);
		key_double(j, "cpu_imbalance", r->cpu_imbalance, 3);
		key_double(j, "wait_seconds", r->wait_seconds, SECONDS);
		key_double(j, "wait_percent", r->wait_percent, PCT);
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
	key_str(j, "clock", b->wall ? "wall" : "cpu");
	key_double(j, "imbalance", b->imbalance, 3);
	key_uint(j, "threads_took_part", b->took_part);
	key_bool(j, "imbalanced", b->imbalanced);
	key_double(j, "idle_percent", b->idle_percent, PCT);
	key_double(j, "runtime_percent", b->runtime_percent, PCT);
	key_double(j, "blocked_percent", b->blocked_percent, PCT);
	json_key(j, "busiest");
	if (b->busiest < b->nrows) {
		const struct ws_busy_row *r = &b->rows[b->busiest];
		json_begin_object(j);
		key_uint(j, "pid", r->pid);
		key_uint(j, "tid", r->tid);
		json_key(j, "hot_line");
		if (b->busiest_lines.nrows) {
			const struct ws_line_row *l = &b->busiest_lines.rows[0];
			json_begin_object(j);
			key_line(j, l->file, l->line);
			key_str(j, "function", l->function);
			key_uint(j, "samples", l->samples);
			key_double(j, "percent", l->percent, PCT);
			key_str(j, "text", l->text);
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
		key_uint(j, "pid", r->pid);
		key_uint(j, "tid", r->tid);
		key_str(j, "name", r->name);
		key_uint(j, "samples", r->samples);
		key_uint(j, "busy_samples", r->busy);
		key_uint(j, "runtime_samples", r->runtime);
		key_uint(j, "idle_samples", r->idle);
		key_double(j, "busy_seconds", r->busy_seconds, SECONDS);
		key_double(j, "runtime_seconds", r->runtime_seconds, SECONDS);
		key_double(j, "idle_seconds", r->idle_seconds, SECONDS);
		key_double(j, "busy_percent", r->busy_percent, PCT);
		key_bool(j, "took_part", r->took_part);
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
	key_double(j, "instructions", m->instructions, PCT);
	key_double(j, "fp_scalar_single", m->scalar[0], PCT);
	key_double(j, "fp_scalar_double", m->scalar[1], PCT);
	key_double(j, "fp_scalar_x87", m->scalar[2], PCT);
	key_double(j, "fp_packed_single", m->packed[0], PCT);
	key_double(j, "fp_packed_double", m->packed[1], PCT);
	key_double(j, "fp_128", m->width[0], PCT);
	key_double(j, "fp_256", m->width[1], PCT);
	key_double(j, "fp_512", m->width[2], PCT);
	key_double(j, "fma", m->fma, PCT);
	key_double(j, "fp_other", m->fp_other, PCT);
	key_double(j, "int_simd", m->int_simd, PCT);
	key_double(j, "calls", m->calls, PCT);
	json_end_object(j);
}

static void
vfacts(struct json *j, const struct ws_vfacts *f)
{
	key_str(j, "class", ws_vclass_name(f->vclass));
	key_double(j, "packed_percent", f->packed_percent, PCT);
	key_uint(j, "vector_bits", f->vector_bits);
	key_str(j, "element", ws_elem_name(f->elem));
	key_bool(j, "fma", f->fma);
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
	key_str(j, "text", p->text);
	key_str(j, "compiler", p->compiler);
	key_str(j, "version", p->version);
	key_str(j, "language", p->language);
	key_bool(j, "flags_recorded", p->flags_recorded);
	key_str(j, "opt", p->opt[0] ? p->opt : NULL);
	key_str(j, "march", p->march);
	key_str(j, "mtune", p->mtune);
	key_bool(j, "fast_math", p->fast_math);
	key_bool(j, "fp_contract_off", p->fp_contract_off);
	key_tristate(j, "tree_vectorize", p->tree_vectorize);
	key_tristate(j, "vectoriser", p->vectoriser);
	key_str(j, "isa", p->isa);
	json_key(j, "isa_bits");
	if (p->isa_bits)
		json_uint(j, p->isa_bits);
	else
		json_null(j);
	key_bool(j, "fma", p->fma);
	json_end_object(j);
}

static void
vloop(struct json *j, const struct ws_vloop *l)
{
	json_begin_object(j);
	key_uint(j, "start", l->start);
	key_uint(j, "end", l->end);
	key_uint(j, "offset", l->offset);
	key_uint(j, "depth", l->depth);
	key_bool(j, "innermost", l->innermost);
	key_str(j, "file", l->file);
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
	key_uint(j, "samples", l->samples);
	key_uint(j, "own_samples", l->own_samples);
	key_double(j, "percent", l->percent, PCT);
	vfacts(j, &l->facts);
	mix(j, "sampled_mix", &l->sampled);
	mix(j, "static_mix", &l->stat);
	key_str(j, "verdict", l->verdict);
	json_key(j, "remarks");
	json_begin_array(j);
	for (size_t r = 0; r < l->nremarks; r++) {
		json_begin_object(j);
		key_str(j, "kind", l->remarks[r].kind);
		key_str(j, "file", l->remarks[r].file);
		key_uint(j, "line", l->remarks[r].line);
		key_str(j, "text", l->remarks[r].text);
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
	key_str(j, "widest", v->cpu.widest);
	key_uint(j, "bits", v->cpu.bits);
	key_bool(j, "fma", v->cpu.fma);
	key_str(j, "source", "cpuid of the machine running the report");
	json_end_object(j);
	key_uint(j, "samples", v->samples);
	key_uint(j, "unanalysed_samples", v->unanalysed);
	key_uint(j, "functions_with_samples", v->nfunctions);
	json_key(j, "functions");
	json_begin_array(j);
	for (size_t i = 0; i < v->nfns; i++) {
		const struct ws_vfunction *f = &v->fns[i];
		json_begin_object(j);
		key_str(j, "function", f->function);
		key_str(j, "module", f->module);
		key_line(j, f->file, f->line);
		key_uint(j, "samples", f->samples);
		key_double(j, "percent", f->percent, PCT);
		key_double(j, "error", f->error, PCT);
		key_bool(j, "analysed", !f->why_not);
		key_str(j, "why_not", f->why_not);
		if (!f->why_not) {
			key_uint(j, "start", f->start);
			key_uint(j, "size", f->size);
			key_str(j, "source", f->source);
			producer(j, f);
			vfacts(j, &f->facts);
			mix(j, "sampled_mix", &f->sampled);
			mix(j, "static_mix", &f->stat);
			key_str(j, "verdict", f->verdict);
			key_uint(j, "loops_found", f->nall_loops);
			json_key(j, "loops");
			json_begin_array(j);
			for (size_t l = 0; l < f->nloops; l++)
				vloop(j, &f->loops[l]);
			json_end_array(j);
			key_str(j, "opt_record", f->opt_record);
			key_str(j, "opt_record_hint", f->opt_record_hint);
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
		key_uint(j, "pid", r->pid);
		key_uint(j, "ppid", r->ppid);
		json_key(j, "rank");
		if (r->rank >= 0)
			json_int(j, r->rank);
		else
			json_null(j);
		key_str(j, "file", r->file);
		strings(j, "command", r->argv, (size_t)r->argc);
		json_key(j, "complete");
		json_bool(j, r->complete);
		key_str(j, "end", r->end);
		json_key(j, "status");
		if (r->complete)
			json_int(j, r->status);
		else
			json_null(j);
		key_uint(j, "samples", r->samples);
		key_uint(j, "threads", r->threads);
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
		key_str(j, "expect", x->expect[i].text);
		json_key(j, "passed");
		json_bool(j, x->result[i].passed);
		key_str(j, "measured", x->result[i].measured);
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
	key_str(&j, "schema", "whyslow-report");
	key_uint(&j, "version", 1);
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
	if (r->access)
		ws_json_access(&j, r->access);
	if (r->access)
		ws_json_roofline(&j, r->roofline, r->roofline_why);
	processes(&j, r->processes);
	expectations(&j, r->expectations);
	if (r->plot_output) { /* --plot FILE (term is not allowed with --json) */
		json_key(&j, "plot");
		json_begin_object(&j);
		key_str(&j, "output", r->plot_output);
		key_str(&j, "script", r->plot_script);
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
	key_str(&j, "schema", "whyslow-compare");
	key_uint(&j, "version", 1);
	json_key(&j, "before");
	json_begin_object(&j);
	header(&j, r->header[0]);
	json_end_object(&j);
	json_key(&j, "after");
	json_begin_object(&j);
	header(&j, r->header[1]);
	json_end_object(&j);
	key_double(&j, "speedup", c->speedup, 3);
	key_double(&j, "cpu_speedup", c->cpu_speedup, 3);
	json_key(&j, "functions");
	json_begin_array(&j);
	for (size_t i = 0; i < c->nfns; i++) {
		const struct ws_compare_fn *fn = &c->fns[i];
		json_begin_object(&j);
		key_str(&j, "function", fn->function);
		key_str(&j, "module", fn->module);
		key_line(&j, fn->file, fn->line);
		json_key(&j, "inlined");
		json_bool(&j, fn->inlined);
		key_str(&j, "in", presence_name[fn->presence]);
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
			key_str(&j, "function", l->function);
			key_str(&j, "in", presence_name[l->presence]);
			upair(&j, "samples", l->samples);
			pair(&j, "seconds", l->seconds, SECONDS);
			key_str(&j, "text", l->text);
			json_end_object(&j);
		}
		json_end_array(&j);
	}
	expectations(&j, r->expectations);
	json_end_object(&j);
	return json_finish(&j);
}
