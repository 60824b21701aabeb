/* `whyslow machine`: this machine's peak memory bandwidth and FLOP rates,
 * measured once and cached per host (machine.h, docs/cli.md,
 * docs/roofline.md). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "machine.h"
#include "plot.h"
#include "util.h"

static void
usage(FILE *f)
{
	fputs("usage: whyslow machine [options]\n"
	      "\n"
	      "This machine's peaks, for the roofline: memory bandwidth (a STREAM triad over\n"
	      "arrays far larger than the last-level cache) and floating-point rate (double\n"
	      "and single precision, scalar and each vector width this CPU has, with FMA\n"
	      "where it has it), on one core and on all the CPUs whyslow may use; each the\n"
	      "best of several repeats.  Measured once (about 10 s; progress on stderr) and\n"
	      "cached in $XDG_CACHE_HOME/whyslow/ (else ~/.cache/whyslow/), one file per\n"
	      "host; later runs print the cached figures with their date.\n"
	      "\n"
	      "options:\n"
	      "  --refresh          measure again (and replace the cache)\n"
	      "  --json             the figures as JSON (schema whyslow-machine, version 1,\n"
	      "                     in docs/cli.md: the cache file's own format)\n"
	      "  --plot FILE        draw this machine's roofline with gnuplot: FILE.png,\n"
	      "                     FILE.svg (the script is kept as FILE.gp), or 'term' for a\n"
	      "                     text plot after the figures\n"
	      "  --quick            a short measurement with small arrays, for tests (the\n"
	      "                     figures are marked quick)\n"
	      "  --array-mib N      each triad array N MiB (1..65536) instead of the default\n"
	      "                     (4 x the last-level cache, within 64..1024 MiB)\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "A cache file that cannot be read is reported and measured again.  Exit status:\n"
	      "0 done, 1 a measurement, the cache or the plot failed (the figures are still\n"
	      "printed when they exist), 2 usage error.\n",
	      f);
}

enum { OPT_REFRESH = 256, OPT_JSON, OPT_PLOT, OPT_QUICK, OPT_ARRAY_MIB };

static const struct option options[] = {
    {"refresh", no_argument, NULL, OPT_REFRESH},
    {"json", no_argument, NULL, OPT_JSON},
    {"plot", required_argument, NULL, OPT_PLOT},
    {"quick", no_argument, NULL, OPT_QUICK},
    {"array-mib", required_argument, NULL, OPT_ARRAY_MIB},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* "512-bit AVX-512F FMA", "scalar FMA3", "128-bit SSE2" */
static void
peak_label(const struct ws_machine_peak *p, char *buf, size_t n)
{
	char width[16];
	if (p->vector_bits)
		snprintf(width, sizeof width, "%u-bit", p->vector_bits);
	else
		snprintf(width, sizeof width, "scalar");
	snprintf(buf, n, "%s %s%s", width, p->isa, p->fma && !strstr(p->isa, "FMA") ? " FMA" : "");
}

static const struct ws_machine_peak *
find(const struct ws_machine *m, enum ws_precision prec, unsigned bits)
{
	for (size_t i = 0; i < m->npeaks; i++)
		if (m->peaks[i].precision == prec && m->peaks[i].vector_bits == bits)
			return &m->peaks[i];
	return NULL;
}

static void
print_text(FILE *f, const struct ws_machine *m, const char *path, bool fresh)
{
	fprintf(f, "whyslow machine: %s, %s, %u CPU%s, widest vectors %s%s\n", m->host,
		m->cpu[0] ? m->cpu : "unknown CPU", m->cpus, m->cpus == 1 ? "" : "s", m->widest,
		m->fma ? " with FMA" : ", no FMA");
	fprintf(f, "  measured %s%s%s%s\n", m->measured, fresh ? " (now)" : "",
		path ? (fresh ? ", cached in " : ", from ") : "", path ? path : "");
	if (!fresh)
		fputs("  (whyslow machine --refresh measures again)\n", f);
	if (m->quick)
		fputs("  QUICK measurement (--quick: small arrays, short timings, for tests); "
		      "whyslow machine --refresh measures properly\n",
		      f);

	char all[32];
	snprintf(all, sizeof all, "all %u CPU%s", m->cpus, m->cpus == 1 ? "" : "s");
	fprintf(f,
		"\nMemory bandwidth: STREAM triad a[i] = b[i] + s*c[i], 3 arrays of %.0f MiB, "
		"best of %u\n",
		(double)m->array_bytes / (1 << 20), m->repeats);
	if (m->llc_bytes && m->array_bytes < 4 * m->llc_bytes)
		fprintf(f,
			"  (smaller than STREAM's 4 x the %.0f MiB last-level cache the CPU "
			"reports;\n   on a VM that figure is often the whole host's)\n",
			(double)m->llc_bytes / (1 << 20));
	fprintf(f, "  %-26s %12s %12s\n", "", "one core", all);
	fprintf(f, "  %-26s %7.1f GB/s %7.1f GB/s\n", "triad (24 bytes/element)",
		m->bw_one_core / 1e9, m->bw_all_cores / 1e9);

	fprintf(f, "\nPeak floating point, GFLOP/s (an FMA counts as 2 FLOP), best of %u\n",
		m->repeats);
	fprintf(f, "  %-22s %21s   %21s\n", "", "double", "single");
	fprintf(f, "  %-22s %10s %10s   %10s %10s\n", "", "one core", all, "one core", all);
	for (unsigned bits = 0; bits <= 512; bits = bits ? bits * 2 : 128) {
		const struct ws_machine_peak *d = find(m, WS_PREC_DOUBLE, bits);
		const struct ws_machine_peak *s = find(m, WS_PREC_SINGLE, bits);
		if (!d && !s)
			continue;
		char label[48];
		peak_label(d ? d : s, label, sizeof label);
		fprintf(f, "  %-22s", label);
		if (d)
			fprintf(f, " %10.1f %10.1f", d->one_core / 1e9, d->all_cores / 1e9);
		else
			fprintf(f, " %10s %10s", "-", "-");
		if (s)
			fprintf(f, "   %10.1f %10.1f\n", s->one_core / 1e9, s->all_cores / 1e9);
		else
			fprintf(f, "   %10s %10s\n", "-", "-");
	}

	fprintf(f,
		"\nRidge points (double, %s): below this many FLOP per byte of memory traffic\n"
		"a loop is memory-bound, at or above it compute-bound (docs/roofline.md)\n",
		all);
	for (size_t i = 0; i < m->npeaks; i++) {
		const struct ws_machine_peak *p = &m->peaks[i];
		if (p->precision != WS_PREC_DOUBLE)
			continue;
		struct ws_roof r = {m->bw_all_cores, p->all_cores};
		char label[48];
		peak_label(p, label, sizeof label);
		fprintf(f, "  %-22s %6.2f FLOP/byte\n", label, ws_roof_ridge(&r));
	}
}

static int
draw_roofline(const struct ws_machine *m, const struct ws_plot_target *t)
{
	struct ws_plot_roof roofs[WS_MACHINE_MAX_PEAKS];
	char names[WS_MACHINE_MAX_PEAKS][80];
	size_t n = 0;
	for (size_t i = 0; i < m->npeaks; i++) {
		const struct ws_machine_peak *p = &m->peaks[i];
		if (p->precision != WS_PREC_DOUBLE)
			continue;
		char label[48];
		peak_label(p, label, sizeof label);
		snprintf(names[n], sizeof names[n], "double %s: %.1f GFLOP/s", label,
			 p->all_cores / 1e9);
		roofs[n] = (struct ws_plot_roof){names[n], p->all_cores};
		n++;
	}
	char *title = ws_xasprintf("roofline of %s (%u CPU%s, double precision)%s", m->host,
				   m->cpus, m->cpus == 1 ? "" : "s", m->quick ? " QUICK" : "");
	char *bw = ws_xasprintf("memory (triad): %.1f GB/s", m->bw_all_cores / 1e9);
	struct ws_plot_roofline r = {title, m->bw_all_cores, bw, roofs, n, NULL, 0};
	char *why = NULL;
	int rc = ws_plot_roofline(&r, t, NULL, &why);
	if (rc != 0)
		ws_errorf("machine: --plot: %s", why);
	else if (t->kind != WS_PLOT_TERM)
		ws_errorf("machine: roofline written to %s (script %.*s.gp)", t->file,
			  (int)strlen(t->file) - 4, t->file);
	free(why);
	free(title);
	free(bw);
	return rc;
}

int
cmd_machine(int argc, char **argv)
{
	bool refresh = false, json = false;
	const char *plot = NULL;
	struct ws_plot_target target;
	struct ws_machine_options mo = {.progress = stderr};
	long v;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_REFRESH:
			refresh = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PLOT:
			plot = optarg;
			if (ws_plot_parse(optarg, &target) < 0) {
				ws_errorf("machine: --plot: '%s' is not FILE.png, FILE.svg or term",
					  optarg);
				return WS_EXIT_USAGE;
			}
			break;
		case OPT_QUICK:
			mo.quick = true;
			break;
		case OPT_ARRAY_MIB:
			if (!ws_parse_long(optarg, 1, 65536, &v)) {
				ws_errorf(
				    "machine: --array-mib: '%s' is not a size in 1..65536 MiB",
				    optarg);
				return WS_EXIT_USAGE;
			}
			mo.array_bytes = (uint64_t)v << 20;
			break;
		case 'h':
			usage(stdout);
			return WS_EXIT_OK;
		case ':':
			ws_errorf("machine: %s needs an argument (see whyslow machine --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		default:
			ws_errorf("machine: unknown option '%s' (see whyslow machine --help)",
				  argv[optind - 1]);
			return WS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ws_errorf("machine: takes no arguments (got '%s')", argv[optind]);
		return WS_EXIT_USAGE;
	}
	if (json && plot && target.kind == WS_PLOT_TERM) {
		ws_errorf("machine: --plot term draws on stdout, which --json needs: give --plot "
			  "FILE.png or FILE.svg");
		return WS_EXIT_USAGE;
	}

	int rc = WS_EXIT_OK;
	char *path = ws_machine_cache_path();
	struct ws_machine m;
	bool fresh = refresh;
	char *why = NULL;
	if (!path) {
		ws_errorf("machine: neither XDG_CACHE_HOME nor HOME is an absolute path: the "
			  "figures cannot be cached");
		fresh = true;
		rc = WS_EXIT_FAIL;
	} else if (!refresh) {
		int lr = ws_machine_load(NULL, &m, &why); /* NULL: checks the host too */
		if (lr == -ENOENT) {
			fprintf(stderr,
				"whyslow: machine: no figures cached for this host yet: measuring "
				"(%s)\n",
				mo.quick ? "quick" : "about 10 s");
			fresh = true;
		} else if (lr < 0) {
			ws_errorf("machine: %s; measuring again", why);
			fresh = true;
		}
		free(why);
		why = NULL;
	}
	if (fresh) {
		if (ws_machine_measure(&mo, &m, &why) < 0) {
			ws_errorf("machine: %s", why);
			free(why);
			free(path);
			return WS_EXIT_FAIL;
		}
		if (path && ws_machine_save(&m, path, &why) < 0) {
			ws_errorf("machine: the figures are not cached: %s", why);
			free(why);
			why = NULL;
			rc = WS_EXIT_FAIL;
		}
	}
	int w;
	if (json) {
		w = ws_machine_write_json(stdout, &m);
	} else {
		print_text(stdout, &m, path, fresh);
		w = fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
	}
	if (w < 0) {
		ws_errorf("machine: writing the figures failed");
		rc = WS_EXIT_FAIL;
	}
	if (plot) {
		if (target.kind == WS_PLOT_TERM)
			putchar('\n');
		if (draw_roofline(&m, &target) != 0)
			rc = WS_EXIT_FAIL;
	}
	free(path);
	return rc;
}
