/* runner <in.f32> <out.f32>: reads float32 samples laid out as the model's inputs (ONNX layout, inputs of one
 * sample back to back), quantizes them, runs the model and writes the dequantized float32 outputs. The sample
 * count follows from the file size. On QEMU the files are host files reached through semihosting.
 * Exit status: 0 ok, 2 usage, 3 cannot open input, 4 cannot open output, 5 partial trailing sample, 6 write error. */
#include <stdio.h>
#include "model.h"

/* Samples stream through a small buffer, so the runner adds little RAM to the model's arena. */
#define CHUNK 64
static float chunk[CHUNK];

/* Reads one sample; returns 1 on success, 0 at a clean end of file, -1 on a partial sample. */
static int read_sample(FILE *in)
{
    int i;
    for (i = 0; i < MODEL_NUM_INPUTS; i++) {
        const qf_tensor_info *t = &model_inputs[i];
        int32_t first;
        for (first = 0; first < t->size; first += CHUNK) {
            const int32_t n = t->size - first < CHUNK ? t->size - first : CHUNK;
            const size_t got = fread(chunk, sizeof(float), (size_t)n, in);
            if (got != (size_t)n) return (i == 0 && first == 0 && got == 0) ? 0 : -1;
#ifdef MODEL_INT16X8
            qf_quantize16_range(t, first, n, chunk, model_input(i));
#else
            qf_quantize_range(t, first, n, chunk, model_input(i));
#endif
        }
    }
    return 1;
}

static int write_sample(FILE *out)
{
    int i;
    for (i = 0; i < MODEL_NUM_OUTPUTS; i++) {
        const qf_tensor_info *t = &model_outputs[i];
        int32_t first;
        for (first = 0; first < t->size; first += CHUNK) {
            const int32_t n = t->size - first < CHUNK ? t->size - first : CHUNK;
#ifdef MODEL_INT16X8
            qf_dequantize16_range(t, first, n, model_output(i), chunk);
#else
            qf_dequantize_range(t, first, n, model_output(i), chunk);
#endif
            if (fwrite(chunk, sizeof(float), (size_t)n, out) != (size_t)n) return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    FILE *in, *out;
    long samples = 0;
    int status = 0, r;
    /* picolibc's semihosting crt0 may put extra words in front, so the paths are the last two arguments. */
    if (argc < 3) {
        fprintf(stderr, "usage: runner <in.f32> <out.f32>\n");
        return 2;
    }
    in = fopen(argv[argc - 2], "rb");
    if (in == NULL) {
        fprintf(stderr, "runner: cannot open %s\n", argv[argc - 2]);
        return 3;
    }
    out = fopen(argv[argc - 1], "wb");
    if (out == NULL) {
        fprintf(stderr, "runner: cannot open %s\n", argv[argc - 1]);
        fclose(in);
        return 4;
    }
    while ((r = read_sample(in)) == 1) {
        model_run();
        if (!write_sample(out)) {
            status = 6;
            break;
        }
        samples++;
    }
    if (r < 0) {
        fprintf(stderr, "runner: %s ends inside a sample\n", argv[argc - 2]);
        status = 5;
    }
    fclose(in);
    if (fclose(out) != 0 && status == 0) status = 6;
    if (status == 0) printf("runner: %ld samples\n", samples);
    return status;
}
