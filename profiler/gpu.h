/* GPU tracing with CUPTI (docs/gpu.md), built only where configure found
 * CUDA.  libcupti is dlopen'ed at run time, so one libwhyslow.so runs on
 * nodes without a GPU or driver.  The CUDA driver calls our exported
 * InitializeInjection when the program initialises it (whyslow record sets
 * CUDA_INJECTION64_PATH to the collector); nothing happens before that.
 */
#ifndef WHYSLOW_GPU_H
#define WHYSLOW_GPU_H

/* At collector start: read WHYSLOW_GPU (--gpu asked) and arrange for the
 * "GPU tracing is off" line at exit when it was asked and the driver never
 * initialised.  Not signal-safe. */
void ws_gpu_init(void);
/* Write WS_REC_GPU when CUPTI was running (rows flushed at exit, before
 * the collector finishes).  Async-signal-safe. */
void ws_gpu_write(void);
/* Fork child: CUDA does not survive fork; drop the parent's rows. */
void ws_gpu_fork_child(void);

#endif
