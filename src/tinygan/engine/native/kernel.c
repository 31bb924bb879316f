/*
 * tinygan's native kernel: many adversarial iterations of an ensemble of MLP GANs in
 * one call, members last.
 *
 * Every member is a pair of bias-free or biased MLPs (tinygan.engine.fused.NetSpec) with
 * the post's three steps per iteration (tinygan.engine.fused.adversarial_step): the
 * discriminator on a real batch (target 1), on the generator's output (target 0), then
 * the generator through the discriminator (target 1), with plain SGD or Adam. Tensors
 * keep the member dimension last and contiguous, as the ensemble stores them; the kernel
 * takes LANES members at a time, keeps their weights in local arrays for the whole call,
 * and computes every operation on a vector of LANES members (GNU C vector types: the
 * compiler maps them onto the machine's vector registers). The exponential, logarithm
 * and tanh are written here (branch-free, Cephes-style polynomials) for the same reason:
 * results agree with torch's within a few units in the last place, not bit for bit.
 *
 * The members' data: samples, or the members' own mt19937 generators, drawn exactly as
 * torch.rand draws (see tinygan/engine/native/mt_states.py).
 *
 * Built with fixed flags and floating-point contraction off (-ffp-contract=off): every
 * operation is one correctly rounded IEEE operation on one lane (a fused multiply-add only
 * where written, in the data's map), so any vector width the compiler maps the vectors
 * onto gives the same numbers, on any machine.
 *
 * Entry points: tg_train (the iterations), tg_forward (a network's forward pass), and
 * tg_abi (the version and the sizes of the structs below, which the Python side checks
 * at load). The Python side (tinygan/engine/native/job.py) checks every shape and
 * pointer first; the kernel trusts its job.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LANES 16
#define MAX_LAYERS 16
#define TG_ABI_VERSION 3

enum { ACT_IDENTITY = 0, ACT_SIGMOID = 1, ACT_TANH = 2, ACT_RELU = 3 };
enum { LOSS_MSE = 0, LOSS_BCE = 1 };
enum { OPT_SGD = 0, OPT_ADAM = 1 };

/* LANES members' values of one number: the compiler maps it onto its vector registers. */
typedef float vec __attribute__((vector_size(LANES * sizeof(float))));
typedef int32_t ivec __attribute__((vector_size(LANES * sizeof(int32_t))));
typedef uint32_t uvec __attribute__((vector_size(LANES * sizeof(uint32_t))));
typedef vec lanes_t;

typedef struct {
    int32_t layers;
    int32_t bias;
    int32_t sizes[MAX_LAYERS + 1];
    int32_t acts[MAX_LAYERS];
} tg_net;

typedef struct {
    tg_net g, d;
    int32_t loss;
    int32_t optimizer;
    int32_t batch;      /* samples per step and member */
    int32_t members;    /* the member dimension's size, a multiple of LANES */
    int32_t iterations;
    float g_lr, d_lr;
    float rest1, rest2, beta2, eps; /* Adam: 1 - beta1, 1 - beta2, beta2, eps */
    float **g_params, **d_params;           /* [W1, (b1), W2, ...]: (out, in, K), (out, K) */
    float **g_exp_avgs, **d_exp_avgs;       /* Adam's moments, shaped as the parameters */
    float **g_exp_avg_sqs, **d_exp_avg_sqs;
    const float *adam_factors;              /* (T, 3, 2): step size, sqrt(bias correction 2) */
    const float *real, *noise_fake, *noise_gen; /* (T, n, dim, K), unless generators */
    /* Or the members' own generators: torch's mt19937 states, (MT_N + 2, K) words,
       members last: the state words, then the generators' left_ and next_ counters
       (the same for all: the generators stand at one position).
       The kernel draws each member's uniforms from its generator as torch.rand would,
       advancing it, and maps uniform j of an iteration to
       clamp(shift[j] + uniform * scale[j], low[j], high[j]) (the sources' own maps). */
    uint32_t *generators;
    const float *shift, *scale, *low, *high;
    /* The outputs, block by block of LANES members so that each block writes one
       contiguous stretch: (K / LANES, T, 3, LANES) losses (D on real, D on fake, G) and
       (K / LANES, T, n * G's output dim, LANES) generator outputs. */
    float *losses;
    float *fakes;
} tg_job;

typedef struct {
    int w[MAX_LAYERS], b[MAX_LAYERS], y[MAX_LAYERS + 1];
    int params, outputs, widest;
} layout;

/* ---- elementwise functions on vectors ---- */

static inline vec splat(float x) { return (vec){0} + x; }

static inline vec pick(ivec mask, vec yes, vec no) {
    return (vec)((mask & (ivec)yes) | (~mask & (ivec)no));
}

static inline vec exp_v(vec x) {
    x = pick(x > 88.3762626647949f, splat(88.3762626647949f), x);
    x = pick(x < -87.3365447505531f, splat(-87.3365447505531f), x);
    /* n = x / log(2) rounded to the nearest integer: adding 1.5 * 2**23 leaves it in the
       low bits of the sum (|n| < 2**22), in two operations. */
    vec shifted = x * 1.44269504088896341f + 12582912.0f;
    ivec whole = (ivec)shifted - 0x4b400000;
    vec n = shifted - 12582912.0f;
    vec r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    vec p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    vec y = p * r * r + r + 1.0f;
    return y * (vec)((whole + 127) << 23);
}

/* Natural logarithm of x > 0 (x <= 0 gives a very negative number: callers clamp). */
static inline vec log_v(vec x) {
    x = pick(x < 1.17549435e-38f, splat(1.17549435e-38f), x);
    ivec bits = (ivec)x;
    ivec e = ((bits >> 23) & 0xff) - 126;
    vec m = (vec)((bits & 0x007fffff) | 0x3f000000); /* in [0.5, 1) */
    ivec small = m < 0.707106781186547524f;
    vec ef = __builtin_convertvector(e + small, vec); /* small is -1 where true */
    m = pick(small, m + m - 1.0f, m - 1.0f);
    vec z = m * m;
    vec p = splat(7.0376836292e-2f);
    p = p * m - 1.1514610310e-1f;
    p = p * m + 1.1676998740e-1f;
    p = p * m - 1.2420140846e-1f;
    p = p * m + 1.4249322787e-1f;
    p = p * m - 1.6668057665e-1f;
    p = p * m + 2.0000714765e-1f;
    p = p * m - 2.4999993993e-1f;
    p = p * m + 3.3333331174e-1f;
    vec y = p * m * z;
    y += ef * -2.12194440e-4f;
    y -= 0.5f * z;
    return m + y + ef * 0.693359375f;
}

static inline vec tanh_v(vec x) {
    ivec negative = x < 0.0f;
    vec a = pick(negative, -x, x);
    vec z = x * x;
    vec p = splat(-5.70498872745e-3f);
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    vec near = p * z * x + x;
    vec far = 1.0f - 2.0f / (exp_v(a + a) + 1.0f);
    far = pick(negative, -far, far);
    return pick(a < 0.625f, near, far);
}

static inline vec activate(int act, vec h) {
    switch (act) {
    case ACT_SIGMOID:
        return 1.0f / (1.0f + exp_v(-h));
    case ACT_TANH:
        return tanh_v(h);
    case ACT_RELU:
        return pick(h > 0.0f, h, splat(0.0f));
    default:
        return h;
    }
}

/* The gradient before an activation from the one after it (torch's *_backward). */
static inline vec activation_backward(int act, vec dy, vec y) {
    switch (act) {
    case ACT_SIGMOID:
        return dy * (1.0f - y) * y;
    case ACT_TANH:
        return dy * (1.0f - y * y);
    case ACT_RELU:
        return pick(y <= 0.0f, splat(0.0f), dy);
    default:
        return dy;
    }
}

/* ---- the members' generators: torch's mt19937 (ATen's MT19937RNGEngine) ---- */

#define MT_N 624
#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu

static inline uvec twist_v(uvec u, uvec v) {
    uvec y = (u & MT_UPPER) | (v & MT_LOWER);
    return (y >> 1) ^ (-(v & 1u) & MT_MATRIX_A);
}

static inline uvec temper_v(uvec y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
}

/* LANES generators at one position: their states side by side, one vector per word. */
typedef struct {
    uvec *state; /* MT_N vectors */
    int left, next;
} lane_rngs;

static void refill_v(uvec *p) {
    int i = 0;
    for (; i < MT_N - MT_M; i++) p[i] = p[i + MT_M] ^ twist_v(p[i], p[i + 1]);
    for (; i < MT_N - 1; i++) p[i] = p[i + MT_M - MT_N] ^ twist_v(p[i], p[i + 1]);
    p[MT_N - 1] = p[MT_M - 1] ^ twist_v(p[MT_N - 1], p[0]);
}

static inline uvec next_v(lane_rngs *r) {
    if (--r->left == 0) {
        refill_v(r->state);
        r->left = MT_N;
        r->next = 0;
    }
    return temper_v(r->state[r->next++]);
}

/* Take LANES generators (columns k0.. of the states) side by side: the Python side hands
   the kernel only generators that stand at one position. */
static void open_rngs(const uint32_t *words, int64_t K, int k0, lane_rngs *r) {
    for (int i = 0; i < MT_N; i++) memcpy(&r->state[i], words + i * K + k0, sizeof(uvec));
    r->left = (int)words[MT_N * K + k0];
    r->next = (int)words[(MT_N + 1) * K + k0];
}

static void close_rngs(uint32_t *words, int64_t K, int k0, const lane_rngs *r) {
    for (int i = 0; i < MT_N; i++) memcpy(words + i * K + k0, &r->state[i], sizeof(uvec));
    for (int b = 0; b < LANES; b++) {
        words[MT_N * K + k0 + b] = (uint32_t)r->left;
        words[(MT_N + 1) * K + k0 + b] = (uint32_t)r->next;
    }
}

/* torch.rand's float from a 32-bit draw: its low 24 bits over 2**24 (exact). */
static inline vec uniform_v(uvec y) {
    return __builtin_convertvector((ivec)(y & 0xffffffu), vec) * (1.0f / 16777216.0f);
}

/* ---- networks on LANES members ---- */

static void make_layout(const tg_net *net, int n, layout *L) {
    int p = 0, y = 0, widest = 0;
    for (int l = 0; l < net->layers; l++) {
        L->w[l] = p;
        p += net->sizes[l + 1] * net->sizes[l];
        L->b[l] = p;
        if (net->bias) p += net->sizes[l + 1];
    }
    for (int l = 0; l <= net->layers; l++) {
        L->y[l] = y;
        y += n * net->sizes[l];
        if (net->sizes[l] > widest) widest = net->sizes[l];
    }
    L->params = p;
    L->outputs = y;
    L->widest = widest;
}

/* Y holds the input at L->y[0]; fills every layer's activated output after it. */
static void forward(const tg_net *net, const layout *L, lanes_t *P, lanes_t *Y, int n) {
    for (int l = 0; l < net->layers; l++) {
        int in = net->sizes[l], out = net->sizes[l + 1];
        lanes_t *x = Y + L->y[l], *y = Y + L->y[l + 1], *w = P + L->w[l];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                vec acc = x[s * in] * w[o * in];
                for (int i = 1; i < in; i++) acc += x[s * in + i] * w[o * in + i];
                if (net->bias) acc += P[L->b[l] + o];
                y[s * out + o] = acc;
            }
        }
        /* A layer's activations in a loop of their own: they are independent, so the
           processor overlaps their long chains (exponential, division). */
        int act = net->acts[l];
        for (int k = 0; k < n * out; k++) y[k] = activate(act, y[k]);
    }
}

/*
 * Backpropagate dy (n x output size, overwritten) through the network. grads (or NULL)
 * receives the parameters' gradients; with want_input, dy ends as the input's gradient.
 * dh is scratch of n * widest lanes; dy must hold n * widest lanes too.
 */
static void backward(const tg_net *net, const layout *L, lanes_t *P, lanes_t *Y, lanes_t *dy,
                     lanes_t *grads, int want_input, lanes_t *dh, int n) {
    for (int l = net->layers - 1; l >= 0; l--) {
        int in = net->sizes[l], out = net->sizes[l + 1];
        lanes_t *x = Y + L->y[l], *y = Y + L->y[l + 1], *w = P + L->w[l];
        int act = net->acts[l];
        for (int k = 0; k < n * out; k++) dh[k] = activation_backward(act, dy[k], y[k]);
        if (grads) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    vec g = dh[o] * x[i];
                    for (int s = 1; s < n; s++) g += dh[s * out + o] * x[s * in + i];
                    grads[L->w[l] + o * in + i] = g;
                }
                if (net->bias) {
                    vec g = dh[o];
                    for (int s = 1; s < n; s++) g += dh[s * out + o];
                    grads[L->b[l] + o] = g;
                }
            }
        }
        if (l > 0 || want_input) {
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < in; i++) {
                    vec d = dh[s * out] * w[i];
                    for (int o = 1; o < out; o++) d += dh[s * out + o] * w[o * in + i];
                    dy[s * in + i] = d;
                }
            }
        }
    }
}

/* The mean loss of out (count values per member) against target, and its gradient. */
static vec loss_and_grad(int kind, lanes_t *out, int count, float target, lanes_t *grad) {
    vec total = splat(0.0f);
    float scale = 1.0f / (float)count;
    for (int k = 0; k < count; k++) {
        vec o = out[k];
        if (kind == LOSS_MSE) {
            vec diff = o - target;
            total += diff * diff;
            grad[k] = diff * (2.0f * scale);
        } else {
            vec lo = log_v(o), lr = log_v(1.0f - o);
            lo = pick(lo < -100.0f, splat(-100.0f), lo);
            lr = pick(lr < -100.0f, splat(-100.0f), lr);
            total -= target * lo + (1.0f - target) * lr;
            vec denom = (1.0f - o) * o;
            denom = pick(denom < 1e-12f, splat(1e-12f), denom);
            grad[k] = (o - target) / denom * scale;
        }
    }
    return count == 1 ? total : total * scale;
}

typedef struct {
    const tg_net *net;
    layout L;
    lanes_t *P, *G, *M, *V, *Y;
    float **src, **src_m, **src_v;
    float lr;
} block_net;

static void update(const tg_job *job, block_net *bn, const float *factor) {
    int count = bn->L.params;
    if (job->optimizer == OPT_SGD) {
        float lr = bn->lr;
        for (int k = 0; k < count; k++) bn->P[k] -= bn->G[k] * lr;
        return;
    }
    /* 1 - beta1 and 1 - beta2 come computed in double and rounded, as torch's are. */
    float rest1 = job->rest1, rest2 = job->rest2, beta2 = job->beta2, eps = job->eps;
    float step_size = factor[0], bc2 = factor[1];
    for (int k = 0; k < count; k++) {
        vec g = bn->G[k];
        vec m = bn->M[k] + rest1 * (g - bn->M[k]);
        vec v = bn->V[k] * beta2 + rest2 * g * g;
        vec root;
        for (int b = 0; b < LANES; b++) root[b] = __builtin_sqrtf(v[b]);
        vec denom = root / bc2 + eps;
        bn->P[k] = bn->P[k] + (-step_size) * (m / denom);
        bn->M[k] = m;
        bn->V[k] = v;
    }
}

/* Copy a member block of every parameter between the stacks and the local arrays. */
static void gather(const tg_net *net, float **src, lanes_t *dst, int K, int k0) {
    int k = 0;
    for (int l = 0; l < net->layers; l++) {
        int tensors = net->bias ? 2 : 1;
        for (int t = 0; t < tensors; t++) {
            int rows = t == 0 ? net->sizes[l + 1] * net->sizes[l] : net->sizes[l + 1];
            float *base = src[l * tensors + t];
            for (int r = 0; r < rows; r++, k++) memcpy(&dst[k], base + (size_t)r * K + k0, sizeof(lanes_t));
        }
    }
}

static void scatter(const tg_net *net, lanes_t *src, float **dst, int K, int k0) {
    int k = 0;
    for (int l = 0; l < net->layers; l++) {
        int tensors = net->bias ? 2 : 1;
        for (int t = 0; t < tensors; t++) {
            int rows = t == 0 ? net->sizes[l + 1] * net->sizes[l] : net->sizes[l + 1];
            float *base = dst[l * tensors + t];
            for (int r = 0; r < rows; r++, k++) memcpy(base + (size_t)r * K + k0, &src[k], sizeof(lanes_t));
        }
    }
}

static void load_input(lanes_t *dst, const float *src, int rows, int K, int k0) {
    for (int r = 0; r < rows; r++) memcpy(&dst[r], src + (size_t)r * K + k0, sizeof(lanes_t));
}

/* A source's map of its uniforms: clamp(shift + u * scale, low, high), the multiply-add
   rounded once, as torch.addcmul computes it (fmaf is exact on every machine: a fused
   instruction where there is one, else the C library's). */
static inline vec map_uniform(const tg_job *job, int j, vec u) {
    vec x;
    for (int b = 0; b < LANES; b++) x[b] = __builtin_fmaf(u[b], job->scale[j], job->shift[j]);
    x = pick(x < job->low[j], splat(job->low[j]), x);
    return pick(x > job->high[j], splat(job->high[j]), x);
}

/* An iteration's data, all `total` values of it (real batch, then the two noise batches),
   drawn from the block's generators. */
static void draw_iteration(const tg_job *job, int total, lane_rngs *rngs, lanes_t *dst) {
    for (int j = 0; j < total; j++) dst[j] = map_uniform(job, j, uniform_v(next_v(rngs)));
}

static int train_block(const tg_job *job, int k0, lanes_t *scratch) {
    const int n = job->batch, K = job->members, T = job->iterations;
    block_net g, d;
    memset(&g, 0, sizeof g);
    memset(&d, 0, sizeof d);
    g.net = (&job->g);
    d.net = (&job->d);
    make_layout((&job->g), n, &g.L);
    make_layout((&job->d), n, &d.L);
    int adam = job->optimizer == OPT_ADAM;
    lanes_t *next = scratch;
    block_net *nets[2] = {&g, &d};
    for (int i = 0; i < 2; i++) {
        block_net *bn = nets[i];
        bn->P = next; next += bn->L.params;
        bn->G = next; next += bn->L.params;
        bn->M = next; next += adam ? bn->L.params : 0;
        bn->V = next; next += adam ? bn->L.params : 0;
        bn->Y = next; next += bn->L.outputs;
    }
    int widest = g.L.widest > d.L.widest ? g.L.widest : d.L.widest;
    lanes_t *dy = next; next += n * widest;
    lanes_t *dh = next; next += n * widest;
    const tg_net *G = (&job->g), *D = (&job->d);
    int g_in = n * G->sizes[0], g_out = n * G->sizes[G->layers];
    int d_in = n * D->sizes[0], d_out = n * D->sizes[D->layers];
    int total = d_in + 2 * g_in;
    lanes_t *data = next; next += total;
    /* The block's generators, side by side. */
    lane_rngs rngs = {(uvec *)next, 0, 0};
    if (job->generators) open_rngs(job->generators, K, k0, &rngs);
    g.src = job->g_params; g.src_m = job->g_exp_avgs; g.src_v = job->g_exp_avg_sqs; g.lr = job->g_lr;
    d.src = job->d_params; d.src_m = job->d_exp_avgs; d.src_v = job->d_exp_avg_sqs; d.lr = job->d_lr;
    for (int i = 0; i < 2; i++) {
        gather(nets[i]->net, nets[i]->src, nets[i]->P, K, k0);
        if (adam) {
            gather(nets[i]->net, nets[i]->src_m, nets[i]->M, K, k0);
            gather(nets[i]->net, nets[i]->src_v, nets[i]->V, K, k0);
        }
    }
    lanes_t *g_output = g.Y + g.L.y[G->layers], *d_output = d.Y + d.L.y[D->layers];
    vec loss;
    for (int t = 0; t < T; t++) {
        const float *factors = adam ? job->adam_factors + 6 * t : NULL;
        float *losses = job->losses + ((size_t)(k0 / LANES) * T + t) * 3 * LANES;
        int drawn = job->generators != NULL;
        if (drawn) draw_iteration(job, total, &rngs, data);
        /* 1. the discriminator on real data, target 1 */
        if (drawn)
            memcpy(d.Y, data, sizeof(lanes_t) * d_in);
        else
            load_input(d.Y, job->real + (size_t)t * d_in * K, d_in, K, k0);
        forward(D, &d.L, d.P, d.Y, n);
        loss = loss_and_grad(job->loss, d_output, d_out, 1.0f, dy);
        memcpy(losses, &loss, sizeof loss);
        backward(D, &d.L, d.P, d.Y, dy, d.G, 0, dh, n);
        update(job, &d, factors);
        /* 2. the discriminator on the generator's output, target 0 */
        if (drawn)
            memcpy(g.Y, data + d_in, sizeof(lanes_t) * g_in);
        else
            load_input(g.Y, job->noise_fake + (size_t)t * g_in * K, g_in, K, k0);
        forward(G, &g.L, g.P, g.Y, n);
        memcpy(d.Y, g_output, sizeof(lanes_t) * g_out);
        forward(D, &d.L, d.P, d.Y, n);
        loss = loss_and_grad(job->loss, d_output, d_out, 0.0f, dy);
        memcpy(losses + LANES, &loss, sizeof loss);
        backward(D, &d.L, d.P, d.Y, dy, d.G, 0, dh, n);
        update(job, &d, adam ? factors + 2 : NULL);
        /* 3. the generator through the discriminator, target 1 */
        if (drawn)
            memcpy(g.Y, data + d_in + g_in, sizeof(lanes_t) * g_in);
        else
            load_input(g.Y, job->noise_gen + (size_t)t * g_in * K, g_in, K, k0);
        forward(G, &g.L, g.P, g.Y, n);
        memcpy(d.Y, g_output, sizeof(lanes_t) * g_out);
        forward(D, &d.L, d.P, d.Y, n);
        loss = loss_and_grad(job->loss, d_output, d_out, 1.0f, dy);
        memcpy(losses + 2 * LANES, &loss, sizeof loss);
        backward(D, &d.L, d.P, d.Y, dy, NULL, 1, dh, n);
        backward(G, &g.L, g.P, g.Y, dy, g.G, 0, dh, n);
        update(job, &g, adam ? factors + 4 : NULL);
        memcpy(job->fakes + ((size_t)(k0 / LANES) * T + t) * g_out * LANES, g_output,
               sizeof(lanes_t) * g_out);
    }
    if (job->generators) close_rngs(job->generators, K, k0, &rngs);
    for (int i = 0; i < 2; i++) {
        scatter(nets[i]->net, nets[i]->P, nets[i]->src, K, k0);
        if (adam) {
            scatter(nets[i]->net, nets[i]->M, nets[i]->src_m, K, k0);
            scatter(nets[i]->net, nets[i]->V, nets[i]->src_v, K, k0);
        }
    }
    return 0;
}

/* The number of lanes_t of scratch one block needs. */
static size_t scratch_lanes(const tg_job *job) {
    layout g, d;
    make_layout(&job->g, job->batch, &g);
    make_layout(&job->d, job->batch, &d);
    int moments = job->optimizer == OPT_ADAM ? 2 : 0;
    int widest = g.widest > d.widest ? g.widest : d.widest;
    int total = job->batch * (job->d.sizes[0] + 2 * job->g.sizes[0]);
    return (size_t)(2 + moments) * (g.params + d.params) + g.outputs + d.outputs +
           (size_t)2 * job->batch * widest + total + MT_N;
}

/* The kernel's version, lanes and struct sizes: the Python side refuses a library whose
   numbers differ from its own (a stale or foreign build). */
void tg_abi(int32_t out[4]) {
    out[0] = TG_ABI_VERSION;
    out[1] = LANES;
    out[2] = (int32_t)sizeof(tg_job);
    out[3] = (int32_t)sizeof(tg_net);
}


/* Train members [first, last) (multiples of LANES) for job->iterations. 0, or -1 if out of memory. */
int tg_train(const tg_job *job, int32_t first, int32_t last) {
    lanes_t *scratch = aligned_alloc(64, scratch_lanes(job) * sizeof(lanes_t));
    if (!scratch) return -1;
    for (int k0 = first; k0 < last; k0 += LANES) train_block(job, k0, scratch);
    free(scratch);
    return 0;
}

/* One network's forward pass for K members (a multiple of LANES) on n samples each:
   x (n, in, K) to out (n, out, K), members last. 0, or -1 if out of memory. */
int tg_forward(const tg_net *net, float **params, int32_t K, int32_t n, const float *x,
               float *out) {
    layout L;
    make_layout(net, 1, &L);
    lanes_t *P = aligned_alloc(64, (size_t)(L.params + L.outputs) * sizeof(lanes_t));
    if (!P) return -1;
    lanes_t *Y = P + L.params;
    int in = net->sizes[0], width = net->sizes[net->layers];
    for (int k0 = 0; k0 < K; k0 += LANES) {
        gather(net, params, P, K, k0);
        for (int s = 0; s < n; s++) {
            load_input(Y, x + (size_t)s * in * K, in, K, k0);
            forward(net, &L, P, Y, 1);
            for (int r = 0; r < width; r++)
                memcpy(out + ((size_t)s * width + r) * K + k0, &Y[L.y[net->layers] + r], sizeof(lanes_t));
        }
    }
    free(P);
    return 0;
}
