# Workloads beyond dense Llama for nsys-tp's test zoo: MoE (Qwen3-MoE and Mixtral shapes, grouped_mm and the
# eager per-expert loop), speculative decoding (assistant model), dynamic per-tensor FP8 linears, torch.compile
# max-autotune (Triton GEMM templates), an engine-shaped serving loop (scheduler process + GPU worker with
# piecewise CUDA graphs), a training loop, whole-process captures. Random weights, no NVTX.
#
# Each run records its own truth beside the trace (TRUTH=path.json): every forward of every model, in order,
# with the model's name and layer count, its input shape (tokens), the KV length before it, the decoder-layer
# and expert-module calls it made (forward hooks, host side only), and its GPU time from CUDA events recorded
# at the forward's start and end (no host sync inside the run). Not part of the product: lab code.
# usage: TRUTH=out.json python3 zoo.py MODE [--range] [--whole]
import json, os, sys, time, traceback, inspect
import torch
import torch.nn as nn
import torch.nn.functional as F

MODE = sys.argv[1]
RANGE = '--range' in sys.argv
TRUTH_PATH = os.environ.get('TRUTH', f'/tmp/{MODE}.truth.json')
T0 = time.monotonic_ns()
# ZOO_SMOKE=1: tiny shapes, to check the script itself (on a CPU too) before spending GPU time on it.
SMOKE = os.environ.get('ZOO_SMOKE') == '1'
DEV = 'cuda' if torch.cuda.is_available() else 'cpu'
if DEV == 'cpu':
    class _Event:
        def __init__(self, **kw): self.t = None
        def record(self): self.t = time.perf_counter()
        def elapsed_time(self, other): return (other.t - self.t) * 1e3
    torch.cuda.Event = _Event
    torch.cuda.synchronize = lambda *a: None
    torch.cuda.get_device_name = lambda *a: 'cpu'
    torch.cuda.empty_cache = lambda: None


def shape(b, p):
    """Batch x prompt of a run (tiny in a smoke run)."""
    return (min(b, 2), 16) if SMOKE else (b, p)


def log(*a):
    print(f'[{time.time():.3f}] {MODE}:', *a, flush=True)


class Truth:
    """What ran, recorded by the workload: forwards in order, with GPU time from CUDA events."""

    def __init__(self):
        self.forwards, self.models, self.marks, self.extra = [], {}, [], {}
        self.measured = not RANGE  # inside the capture: a whole-process capture records everything
        self.pass_no = 0
        self._open = {}

    def mark(self, what, **kw):
        if what.startswith('generate'):
            self.pass_no += 1
        torch.cuda.synchronize()
        self.marks.append(dict(what=what, host_ns=time.monotonic_ns() - T0, **kw))

    def watch(self, model, name, compiled=False):
        """compiled: the forward runs under torch.compile, which would trace the hooks: the forward's hooks run
        eagerly (torch.compiler.disable, a graph break at the forward's edges only) and the per-layer counters are
        left out (layer_calls is the config's layer count, not counted), so the compiled graph stays whole."""
        """Hooks on a Hugging Face causal LM: the top module's forward, its decoder layers, its expert modules."""
        cfg = model.config
        inner = getattr(model, 'model', model)
        layers = getattr(inner, 'layers', [])
        self.models[name] = dict(cls=type(model).__name__, layers=len(layers), hidden=cfg.hidden_size,
                                 experts=getattr(cfg, 'num_experts', getattr(cfg, 'num_local_experts', None)),
                                 top_k=getattr(cfg, 'num_experts_per_tok', None),
                                 experts_implementation=getattr(cfg, '_experts_implementation', None))
        counts = dict(layer=0, experts=0)

        def count(key):
            def h(*_):
                counts[key] += 1
            return h
        if not compiled:
            for l in layers:
                l.register_forward_pre_hook(count('layer'))
            for n, m in model.named_modules():
                if type(m).__name__.endswith('Experts'):
                    m.register_forward_pre_hook(count('experts'))

        def pre(mod, args, kwargs):
            ids = kwargs.get('input_ids', args[0] if args else None)
            emb = kwargs.get('inputs_embeds')
            shape = list(ids.shape) if ids is not None else list(emb.shape[:2])
            pkv = kwargs.get('past_key_values')
            past = None
            if pkv is not None and type(pkv).__name__ == 'DynamicCache':
                try:
                    past = int(pkv.get_seq_length())
                except Exception:
                    past = None
            counts['layer'] = counts['experts'] = 0
            ev = torch.cuda.Event(enable_timing=True); ev.record()
            self._open[id(mod)] = dict(model=name, tokens=shape, past=past, ev0=ev, host0=time.monotonic_ns() - T0)

        def post(mod, args, kwargs, out):
            rec = self._open.pop(id(mod))
            ev = torch.cuda.Event(enable_timing=True); ev.record()
            rec.update(ev1=ev, host1=time.monotonic_ns() - T0, layer_calls=len(layers) if compiled else counts['layer'],
                       expert_calls=counts['experts'], measured=self.measured, **{'pass': self.pass_no})
            self.forwards.append(rec)

        if compiled:
            pre, post = torch.compiler.disable(pre), torch.compiler.disable(post)
        model.register_forward_pre_hook(pre, with_kwargs=True)
        model.register_forward_hook(post, with_kwargs=True)

    def step(self, **kw):
        """A step of a hand-written loop: returns a closer that records its end."""
        ev0 = torch.cuda.Event(enable_timing=True); ev0.record()
        rec = dict(kw, ev0=ev0, host0=time.monotonic_ns() - T0, measured=self.measured, **{'pass': self.pass_no})

        def done(**more):
            ev1 = torch.cuda.Event(enable_timing=True); ev1.record()
            rec.update(more, ev1=ev1, host1=time.monotonic_ns() - T0)
            self.forwards.append(rec)
        return done

    def write(self):
        torch.cuda.synchronize()
        rows = []
        for i, f in enumerate(self.forwards):
            f = dict(f)
            ev0, ev1 = f.pop('ev0'), f.pop('ev1')
            f['gpu_ms'] = round(ev0.elapsed_time(ev1), 4)
            f['index'] = i
            rows.append(f)
        out = dict(mode=MODE, argv=sys.argv[1:], range=RANGE, torch=torch.__version__, gpu=torch.cuda.get_device_name(),
                   models=self.models, marks=self.marks, forwards=rows, **self.extra)
        try:
            import transformers
            out['transformers'] = transformers.__version__
        except Exception:
            pass
        with open(TRUTH_PATH, 'w') as fh:
            json.dump(out, fh, indent=1)
        by = {}
        for r in rows:
            if r['measured']:
                key = (r.get('model'), 'prompt' if (r.get('tokens') or [0, 1])[-1] > 1 else 'decode')
                by.setdefault(key, []).append(r['gpu_ms'])
        log('truth', TRUTH_PATH, {f'{k[0]}/{k[1]}': (len(v), round(sorted(v)[len(v) // 2], 3)) for k, v in by.items()})


TRUTH = Truth()


def start():
    torch.cuda.synchronize()
    if RANGE:
        torch.cuda.profiler.start(); log('profiler start')
    TRUTH.measured = True
    TRUTH.mark('measured start')


def stop():
    TRUTH.mark('measured stop')
    if RANGE:
        torch.cuda.profiler.stop(); log('profiler stop')


def on_cuda(fn):
    torch.manual_seed(0)
    with torch.device(DEV):
        m = fn()
    m.eval()
    return m


def llama(layers, hidden=8192, heads=64, kv=8, ffn=28672, vocab=128256):
    from transformers import LlamaConfig, LlamaForCausalLM
    if SMOKE:
        hidden, heads, kv, ffn, vocab = 256, 4, 2, 512, 1024
    cfg = LlamaConfig(hidden_size=hidden, intermediate_size=ffn, num_hidden_layers=layers, num_attention_heads=heads,
                      num_key_value_heads=kv, head_dim=hidden // heads, vocab_size=vocab, max_position_embeddings=8192,
                      rms_norm_eps=1e-5, bos_token_id=1, eos_token_id=None, pad_token_id=0, tie_word_embeddings=False)
    return on_cuda(lambda: LlamaForCausalLM._from_config(cfg, attn_implementation='sdpa', dtype=torch.bfloat16))


def moe_model(arch, experts_impl):
    if arch == 'qwen3':
        from transformers import Qwen3MoeConfig as C, Qwen3MoeForCausalLM as M
        cfg = C(hidden_size=2048, intermediate_size=6144, moe_intermediate_size=768, num_hidden_layers=4,
                num_attention_heads=32, num_key_value_heads=4, head_dim=128, num_experts=128, num_experts_per_tok=8,
                vocab_size=151936, max_position_embeddings=8192, decoder_sparse_step=1, mlp_only_layers=[],
                norm_topk_prob=True, eos_token_id=None, pad_token_id=0, tie_word_embeddings=False)
    else:
        from transformers import MixtralConfig as C, MixtralForCausalLM as M
        cfg = C(hidden_size=4096, intermediate_size=14336, num_hidden_layers=4, num_attention_heads=32,
                num_key_value_heads=8, num_local_experts=8, num_experts_per_tok=2, vocab_size=32000,
                max_position_embeddings=8192, eos_token_id=None, pad_token_id=0, tie_word_embeddings=False)
    if SMOKE:
        for k, v in dict(hidden_size=256, intermediate_size=512, moe_intermediate_size=128, vocab_size=1024,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=64).items():
            if hasattr(cfg, k):
                setattr(cfg, k, v)
    cfg._experts_implementation = experts_impl
    kw = dict(attn_implementation='sdpa', dtype=torch.bfloat16)
    if 'experts_implementation' in inspect.signature(M._from_config).parameters:
        kw['experts_implementation'] = experts_impl
    m = on_cuda(lambda: M._from_config(cfg, **kw))
    if hasattr(m, 'set_experts_implementation'):
        try:
            m.set_experts_implementation(experts_impl)
        except Exception as e:
            log('set_experts_implementation failed', e)
    log('experts implementation', getattr(m.config, '_experts_implementation', None))
    return m


def gen(m, ids, new, **kw):
    m.generation_config.eos_token_id = None
    m.generation_config.pad_token_id = 0
    t = time.time()
    with torch.no_grad():
        out = m.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=new, min_new_tokens=new,
                         do_sample=False, **kw)
    torch.cuda.synchronize()
    log('generate', tuple(ids.shape), '->', tuple(out.shape), f'{time.time() - t:.3f}s')
    return out


def two_passes(m, ids, new, **kw):
    TRUTH.mark('generate 1 (warm-up)')
    gen(m, ids, new, **kw)
    time.sleep(0.2)
    start()
    TRUTH.mark('generate 2 (measured)')
    gen(m, ids, new, **kw)
    stop()


# --- modes ---------------------------------------------------------------------------------------------------

def mode_moe(arch, impl):
    m = moe_model(arch, impl)
    TRUTH.watch(m, f'{arch}-moe')
    ids = torch.randint(3, 1000, shape(8, 256), device=DEV)
    two_passes(m, ids, 16)


def mode_spec():
    target = llama(8, hidden=4096, heads=32, kv=8, ffn=14336, vocab=32000)
    draft = llama(2, hidden=4096, heads=32, kv=8, ffn=14336, vocab=32000)
    TRUTH.watch(target, 'target')
    TRUTH.watch(draft, 'draft')
    draft.generation_config.num_assistant_tokens = 5
    draft.generation_config.num_assistant_tokens_schedule = 'constant'
    draft.generation_config.assistant_confidence_threshold = 0.0  # propose all 5 tokens every round
    ids = torch.randint(3, 1000, shape(1, 256), device=DEV)
    two_passes(target, ids, 24, assistant_model=draft)


class FP8Linear(nn.Module):
    """A linear layer with per-tensor dynamic FP8 activations and static per-tensor FP8 weights (torch._scaled_mm),
    the way vLLM's Fp8LinearMethod runs an FP8 checkpoint without block scales."""
    PAD = None

    def __init__(self, lin):
        super().__init__()
        w = lin.weight.data
        self.out_features, self.in_features = w.shape
        ws = (w.abs().amax().float() / 448.0).clamp(min=1e-12)
        self.register_buffer('w', (w / ws).to(torch.float8_e4m3fn))
        self.register_buffer('ws', ws.reshape(()))

    def forward(self, x):
        shp = x.shape
        x2 = x.reshape(-1, shp[-1])
        n = x2.shape[0]
        if FP8Linear.PAD and n % FP8Linear.PAD:
            x2 = F.pad(x2, (0, 0, 0, FP8Linear.PAD - n % FP8Linear.PAD))
        s = (x2.abs().amax().float() / 448.0).clamp(min=1e-12)
        xq = (x2 / s).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
        y = torch._scaled_mm(xq, self.w.t(), scale_a=s, scale_b=self.ws, out_dtype=torch.bfloat16)
        return y[:n].reshape(*shp[:-1], self.out_features)


def mode_fp8():
    a = torch.randn(8, 256, device=DEV).to(torch.float8_e4m3fn)
    b = torch.randn(256, 256, device=DEV).to(torch.float8_e4m3fn)
    one = torch.tensor(1.0, device=DEV)
    try:
        torch._scaled_mm(a, b.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
    except Exception as e:
        log('scaled_mm needs padding:', str(e).splitlines()[0]); FP8Linear.PAD = 16
    m = llama(4)
    n = 0
    for layer in m.model.layers:
        for parent in (layer.self_attn, layer.mlp):
            for k, v in list(parent.named_children()):
                if isinstance(v, nn.Linear):
                    setattr(parent, k, FP8Linear(v)); n += 1
    torch.cuda.empty_cache()
    log('fp8 linears', n, 'pad', FP8Linear.PAD)
    TRUTH.extra['fp8_linears'] = n
    TRUTH.watch(m, 'llama-fp8')
    ids = torch.randint(3, 1000, shape(8, 512), device=DEV)
    two_passes(m, ids, 16)


def mode_autotune():
    import torch._inductor.config as ic
    from transformers import CompileConfig
    ic.max_autotune_gemm_backends = 'TRITON'
    m = llama(4, hidden=4096, heads=32, kv=8, ffn=14336, vocab=32000)
    TRUTH.watch(m, 'llama-autotune', compiled=True)
    ids = torch.randint(3, 1000, shape(8, 256), device=DEV)
    two_passes(m, ids, 16, cache_implementation='static', compile_config=CompileConfig(mode='max-autotune-no-cudagraphs'))


def mode_train():
    m = llama(2, hidden=2048, heads=16, kv=8, ffn=8192, vocab=32000)
    m.train()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-5, fused=True)
    ids = torch.randint(3, 1000, shape(4, 512), device=DEV)
    TRUTH.measured = True
    for it in range(10):
        done = TRUTH.step(model='train', kind='train', iteration=it, tokens=list(ids.shape))
        loss = m(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step(); opt.zero_grad(set_to_none=True)
        done()
    TRUTH.extra['iterations'] = 10


# --- the engine-shaped serving loop ---------------------------------------------------------------------------

H, NH, NKV, HD, FF, V, L = 8192, 64, 8, 128, 28672, 128256, 4
B, MAXLEN = 8, 1024


def rms(x, w):
    return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-5).to(x.dtype) * w


class Engine:
    """A Llama-70B-shaped decoder (L layers) run the way vLLM's V1 engine runs one: prefill eager, decode through
    piecewise CUDA graphs (each layer's pre-attention and post-attention pieces are graphs, attention runs eager
    between them over the KV cache), the GPU worker driven step by step by a scheduler process."""

    def __init__(self):
        torch.manual_seed(0)
        d = dict(device=DEV, dtype=torch.bfloat16)
        s = 0.02
        self.emb = torch.randn(V, H, **d) * s
        self.layers = [dict(n1=torch.ones(H, **d), n2=torch.ones(H, **d),
                            qkv=torch.randn((NH + 2 * NKV) * HD, H, **d) * s, o=torch.randn(H, NH * HD, **d) * s,
                            w13=torch.randn(2 * FF, H, **d) * s, w2=torch.randn(H, FF, **d) * s) for _ in range(L)]
        self.nf, self.head = torch.ones(H, **d), torch.randn(V, H, **d) * s
        self.k = [torch.zeros(B, NKV, MAXLEN, HD, **d) for _ in range(L)]
        self.v = [torch.zeros(B, NKV, MAXLEN, HD, **d) for _ in range(L)]
        # static buffers of the decode graphs
        self.x = torch.zeros(B, 1, H, **d)
        self.qkv = torch.zeros(B, 1, (NH + 2 * NKV) * HD, **d)
        self.att = torch.zeros(B, 1, NH * HD, **d)
        self.tok = torch.zeros(B, 1, dtype=torch.long, device=DEV)
        self.graphs = None

    def mlp(self, x, p):
        g, u = F.linear(rms(x, p['n2']), p['w13']).chunk(2, -1)
        return x + F.linear(F.silu(g) * u, p['w2'])

    def attend(self, i, qkv, pos, n):
        q, k, v = qkv.split([NH * HD, NKV * HD, NKV * HD], -1)
        q = q.view(B, n, NH, HD).transpose(1, 2)
        self.k[i][:, :, pos:pos + n] = k.view(B, n, NKV, HD).transpose(1, 2)
        self.v[i][:, :, pos:pos + n] = v.view(B, n, NKV, HD).transpose(1, 2)
        kk = self.k[i][:, :, :pos + n].repeat_interleave(NH // NKV, 1)
        vv = self.v[i][:, :, :pos + n].repeat_interleave(NH // NKV, 1)
        o = F.scaled_dot_product_attention(q, kk, vv, is_causal=n > 1)
        return o.transpose(1, 2).reshape(B, n, NH * HD)

    @torch.no_grad()
    def prefill(self, ids):
        n = ids.shape[1]
        x = self.emb[ids]
        for i, p in enumerate(self.layers):
            a = self.attend(i, F.linear(rms(x, p['n1']), p['qkv']), 0, n)
            x = self.mlp(x + F.linear(a, p['o']), p)
        logits = F.linear(rms(x[:, -1:], self.nf), self.head)
        return logits.argmax(-1)

    def _pre(self, i):
        self.qkv.copy_(F.linear(rms(self.x, self.layers[i]['n1']), self.layers[i]['qkv']))

    def _post(self, i):
        p = self.layers[i]
        self.x.copy_(self.mlp(self.x + F.linear(self.att, p['o']), p))

    def _head(self):
        self.tok.copy_(F.linear(rms(self.x, self.nf), self.head).argmax(-1))

    @torch.no_grad()
    def capture(self):
        pieces = [(f'pre{i}', lambda i=i: self._pre(i)) for i in range(L)] + \
                 [(f'post{i}', lambda i=i: self._post(i)) for i in range(L)] + [('head', self._head)]
        st = torch.cuda.Stream()
        st.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(st):
            for _, f in pieces:
                f()
        torch.cuda.current_stream().wait_stream(st)
        pool = None
        self.graphs = {}
        for name, f in pieces:
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g, pool=pool):
                f()
            pool = g.pool()
            self.graphs[name] = g
        torch.cuda.synchronize()

    @torch.no_grad()
    def decode(self, tok, pos):
        self.x.copy_(self.emb[tok])
        for i in range(L):
            self.graphs[f'pre{i}'].replay()
            self.att.copy_(self.attend(i, self.qkv, pos, 1))
            self.graphs[f'post{i}'].replay()
        self.graphs['head'].replay()
        return self.tok


def engine_worker(q_in, q_out, truth_path):
    global TRUTH_PATH
    TRUTH_PATH = truth_path
    eng = Engine()
    eng.capture()
    TRUTH.models['engine'] = dict(cls='Engine', layers=L, hidden=H, pieces=len(eng.graphs))
    q_out.put('ready')
    TRUTH.measured = True
    pos = {}
    while True:
        msg = q_in.get()
        if msg[0] == 'end':
            break
        kind, rid, arg = msg
        if kind == 'prefill':
            ids = torch.tensor(arg, device=DEV)
            done = TRUTH.step(model='engine', kind='prefill', request=rid, tokens=list(ids.shape), past=0)
            tok = eng.prefill(ids)
            done()
            pos[rid] = ids.shape[1]
        else:
            tok = torch.tensor(arg, device=DEV).view(B, 1)
            done = TRUTH.step(model='engine', kind='decode', request=rid, tokens=[B, 1], past=pos[rid])
            tok = eng.decode(tok, pos[rid])
            done()
            pos[rid] += 1
        q_out.put(tok.view(-1).tolist())  # the sampled tokens go back to the scheduler (a DtoH copy, a sync)
    TRUTH.write()
    q_out.put('bye')


def mode_engine():
    import multiprocessing as mp
    ctx = mp.get_context('spawn')
    q_in, q_out = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=engine_worker, args=(q_in, q_out, TRUTH_PATH), name='gpu-worker')
    p.start()
    assert q_out.get() == 'ready'
    # Requests of 8 sequences each, one after another. KV lengths repeat between requests 1 and 2, so cuDNN builds
    # its SDPA plans in request 1 only; request 3 decodes 8 tokens past any length seen before.
    plan = [(1, 256, 16), (2, 256, 16), (3, 256, 24)]
    g = torch.Generator().manual_seed(1)
    sched = []
    for rid, prompt, new in plan:
        q_in.put(('prefill', rid, torch.randint(3, 120000, (B, prompt), generator=g).tolist()))
        toks = q_out.get()
        sched.append(dict(request=rid, kind='prefill', tokens=[B, prompt]))
        for k in range(new - 1):
            t = time.perf_counter()
            while time.perf_counter() - t < 0.0025:  # the scheduler's own work: batch bookkeeping, detokenizing
                pass
            q_in.put(('decode', rid, toks))
            toks = q_out.get()
            sched.append(dict(request=rid, kind='decode', tokens=[B, 1]))
        time.sleep(0.05)  # requests arrive 50 ms apart
    q_in.put(('end', 0, None))
    assert q_out.get() == 'bye'
    p.join()
    log('engine done', len(sched), 'steps scheduled')


if __name__ == '__main__':
    import transformers
    log('torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.get_device_name())
    try:
        if MODE.startswith('moe-'):
            _, arch, impl = MODE.split('-', 2)
            mode_moe(arch, impl)
        elif MODE == 'spec':
            mode_spec()
        elif MODE == 'fp8':
            mode_fp8()
        elif MODE == 'autotune':
            mode_autotune()
        elif MODE == 'train':
            mode_train()
        elif MODE == 'engine':
            mode_engine()
        else:
            raise SystemExit(f'unknown mode {MODE}')
        if MODE != 'engine':
            TRUTH.write()
    except Exception:
        traceback.print_exc()
        try:
            TRUTH.write()
        except Exception:
            pass
        sys.exit(1)
