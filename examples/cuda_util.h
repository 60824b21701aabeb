/* Helpers shared by the CUDA examples: checked runtime calls and the
 * no-device exit.  Include after example_util.h (EXAMPLE_NAME). */
#ifndef WHYSLOW_CUDA_UTIL_H
#define WHYSLOW_CUDA_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include <cuda_runtime.h>

/* Exit 2 with the call and CUDA's message when a runtime call fails. */
#define CUDA_CHECK(call) cuda_check((call), #call)

static void
cuda_check(cudaError_t err, const char *what)
{
	if (err != cudaSuccess) {
		fprintf(stderr, EXAMPLE_NAME ": %s: %s\n", what, cudaGetErrorString(err));
		exit(2);
	}
}

/* Exit 2 with "no CUDA device: ..." unless a device can be used. */
static void
require_device(void)
{
	int count = 0;
	cudaError_t err = cudaGetDeviceCount(&count);
	if (err == cudaSuccess && count == 0)
		err = cudaErrorNoDevice;
	if (err == cudaSuccess)
		err = cudaFree(0); /* creates the context, outside the timings */
	if (err != cudaSuccess) {
		fprintf(stderr, EXAMPLE_NAME ": no CUDA device: %s\n", cudaGetErrorString(err));
		exit(2);
	}
}

#endif
