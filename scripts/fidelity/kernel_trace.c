// LD_PRELOAD library for measurements on a GPU machine without nsys: records every kernel's
// device start and end through CUPTI's activity API and writes them to $KERNEL_TRACE_OUT
// ("start_ns end_ns" per line) when the process exits. Used by device_fidelity.sh to measure the
// idle time between kernels of graph-replayed steps.
#include <cupti.h>
#include <stdio.h>
#include <stdlib.h>

static FILE* out;

static void CUPTIAPI request(uint8_t** buffer, size_t* size, size_t* max_records) {
  *size = 8 << 20;
  *buffer = (uint8_t*)aligned_alloc(8, *size);
  *max_records = 0;
}

static void CUPTIAPI complete(CUcontext ctx, uint32_t stream, uint8_t* buffer, size_t size,
                              size_t valid) {
  (void)ctx;
  (void)stream;
  (void)size;
  CUpti_Activity* record = NULL;
  while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
    if (record->kind == CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL) {
      const CUpti_ActivityKernel9* k = (const CUpti_ActivityKernel9*)record;
      if (out) fprintf(out, "%llu %llu\n", (unsigned long long)k->start, (unsigned long long)k->end);
    }
  }
  free(buffer);
}

__attribute__((constructor)) static void trace_start(void) {
  const char* path = getenv("KERNEL_TRACE_OUT");
  out = fopen(path ? path : "kernels.txt", "w");
  cuptiActivityRegisterCallbacks(request, complete);
  cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
}

__attribute__((destructor)) static void trace_stop(void) {
  cuptiActivityFlushAll(1);
  if (out) fclose(out);
}
