/* Draws the generic charts of reports/plot.c from synthetic data, for
 * machine_plot.sh to check what gnuplot wrote:
 *   machine_plot_synth bars|roofline TARGET
 * TARGET is FILE.png, FILE.svg or term.  Exit 0 drawn, 3 no gnuplot, 1
 * any other failure, 2 usage. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot.h"

int
main(int argc, char **argv)
{
	struct ws_plot_target t;
	if (argc != 3 || ws_plot_parse(argv[2], &t) < 0) {
		fprintf(stderr, "usage: machine_plot_synth bars|roofline FILE.png|FILE.svg|term\n");
		return 2;
	}
	char *why = NULL;
	int rc;
	if (!strcmp(argv[1], "bars")) {
		static const char *const labels[] = {"alpha_kernel", "beta^loop", "gamma's helper",
						     "delta \"quoted\""};
		static const double values[] = {61.5, 70.0, 20.25, 95.0, 12.0, 12.0, 0.5, 99.0};
		struct ws_plot_bars b = {.title = "synthetic profile: self and total",
					 .xlabel = "% of samples",
					 .series = {"self %", "total %"},
					 .nseries = 2,
					 .labels = labels,
					 .values = values,
					 .n = 4};
		rc = ws_plot_bars(&b, &t, NULL, &why);
	} else if (!strcmp(argv[1], "roofline")) {
		static const struct ws_plot_roof roofs[] = {{"scalar_double: 12 GFLOP/s", 12e9},
							    {"avx512_double: 96 GFLOP/s", 96e9}};
		static const struct ws_plot_point points[] = {
		    {"stream_loop", 1.0 / 12, 3e9},
		    {"dense_kernel", 8, 60e9},
		    {"unknown_loop", 0.5, NAN},
		};
		struct ws_plot_roofline r = {
		    "synthetic roofline", 50e9, "memory_bw: 50 GB/s", roofs, 2, points, 3};
		rc = ws_plot_roofline(&r, &t, NULL, &why);
	} else {
		fprintf(stderr, "machine_plot_synth: unknown chart '%s'\n", argv[1]);
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "machine_plot_synth: %s\n", why);
		return rc == WS_PLOT_NO_GNUPLOT ? 3 : 1;
	}
	return 0;
}
