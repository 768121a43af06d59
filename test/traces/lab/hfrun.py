# Hugging Face transformers workloads on a Llama-3-70B-shaped model (few layers, random weights), no NVTX.
# usage: python3 hfrun.py MODE [--range]   (--range: cudaProfilerApi capture range around the measured pass)
# Not part of the product: lab code that makes test traces.
import os, sys, time, inspect, traceback
import torch

MODE = sys.argv[1]
RANGE = '--range' in sys.argv
LAYERS = int(os.environ.get('LAYERS', '4'))
B, P, NEW = 8, 512, 16


def log(*a):
    print(f'[{time.time():.3f}] {MODE}:', *a, flush=True)


def build():
    from transformers import LlamaConfig, LlamaForCausalLM
    cfg = LlamaConfig(hidden_size=8192, intermediate_size=28672, num_hidden_layers=LAYERS, num_attention_heads=64,
                      num_key_value_heads=8, head_dim=128, vocab_size=128256, max_position_embeddings=8192,
                      rms_norm_eps=1e-5, bos_token_id=1, eos_token_id=None, pad_token_id=0,
                      tie_word_embeddings=False)
    torch.manual_seed(0)
    with torch.device('cuda'):
        m = LlamaForCausalLM._from_config(cfg, attn_implementation='sdpa', dtype=torch.bfloat16)
    m.eval()
    m.generation_config.eos_token_id = None
    m.generation_config.pad_token_id = 0
    torch.cuda.synchronize()
    log('model built', sum(p.numel() for p in m.parameters()) / 1e9, 'B params')
    return m


def gen(m, ids, **kw):
    t = time.time()
    with torch.no_grad():
        out = m.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=NEW, min_new_tokens=NEW,
                         do_sample=False, **kw)
    torch.cuda.synchronize()
    log('generate', tuple(out.shape), f'{time.time() - t:.3f}s', kw)


def start():
    if RANGE:
        torch.cuda.synchronize(); torch.cuda.profiler.start(); log('profiler start')


def stop():
    if RANGE:
        torch.cuda.synchronize(); torch.cuda.profiler.stop(); log('profiler stop')


def generate_mode(kw):
    m = build()
    ids = torch.randint(3, 128000, (B, P), device='cuda')
    gen(m, ids, **kw)          # warm-up pass (compile, graph capture, cuDNN/cuBLAS init)
    time.sleep(0.2)
    start()
    gen(m, ids, **kw)          # measured pass
    stop()


def cb_mode(graphs):
    from transformers import GenerationConfig
    from transformers.generation import ContinuousBatchingConfig
    m = build()
    lens = [900, 300, 700, 200, 1200, 400, 600, 1000]
    g = torch.Generator().manual_seed(1)
    inputs = [torch.randint(3, 128000, (n,), generator=g).tolist() for n in lens]
    gc = GenerationConfig(max_new_tokens=24, min_new_tokens=24, do_sample=False, eos_token_id=None, pad_token_id=0)
    want = dict(max_batch_tokens=512, use_cuda_graph=graphs, scheduler_type='fifo', max_memory_percent=0.5)
    sig = inspect.signature(ContinuousBatchingConfig.__init__).parameters
    cfg = ContinuousBatchingConfig(**{k: v for k, v in want.items() if k in sig})
    log('cb config', {k: v for k, v in want.items() if k in sig})
    kw = dict(inputs=inputs[:2], generation_config=gc, continuous_batching_config=cfg)
    if 'progress_bar' in inspect.signature(m.generate_batch).parameters: kw['progress_bar'] = False
    t = time.time(); out = m.generate_batch(**kw); torch.cuda.synchronize()
    log('cb warm-up', len(out), f'{time.time() - t:.3f}s')
    time.sleep(0.2)
    start()
    kw['inputs'] = inputs
    t = time.time(); out = m.generate_batch(**kw); torch.cuda.synchronize()
    stop()
    log('cb measured', len(out), {k: len(v.generated_tokens) for k, v in out.items()}, f'{time.time() - t:.3f}s')


def worker(q_in, q_out):
    # The GPU process: one forward per message from the scheduler, a manual decode loop with a dynamic cache.
    m = build()
    ids = torch.randint(3, 128000, (B, P), device='cuda')
    q_out.put('ready')
    for rnd in range(2):
        cache = None
        tok = ids
        while True:
            msg = q_in.get()
            if msg == 'end':
                break
            with torch.no_grad():
                out = m(input_ids=tok, past_key_values=cache, use_cache=True)
            cache = out.past_key_values
            tok = out.logits[:, -1:].argmax(-1)
            q_out.put(int(tok[0, 0].item()))
        log('worker round done', rnd)
    q_out.put('bye')


def mp_mode():
    # The scheduler process launches no GPU work: it paces the worker (a sleep per step stands for request
    # handling), so the GPU idles between forwards because of this process, not the one that launches.
    import multiprocessing as mp
    ctx = mp.get_context('spawn')
    q_in, q_out = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=worker, args=(q_in, q_out), name='gpu-worker')
    p.start()
    assert q_out.get() == 'ready'
    for rnd in range(2):
        for step in range(NEW):
            q_in.put('step')
            q_out.get()
            time.sleep(0.004)   # the scheduler's own work between steps
        q_in.put('end')
        time.sleep(0.1)
    assert q_out.get() == 'bye'
    p.join()
    log('mp done')


if __name__ == '__main__':
    import transformers
    log('torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.get_device_name())
    try:
        if MODE == 'eager':
            generate_mode({})
        elif MODE == 'static':
            generate_mode(dict(cache_implementation='static'))
        elif MODE == 'compile':
            from transformers import CompileConfig
            generate_mode(dict(cache_implementation='static', compile_config=CompileConfig(mode='default')))
        elif MODE == 'cb':
            cb_mode(False)
        elif MODE == 'cbgraph':
            cb_mode(True)
        elif MODE == 'mp':
            mp_mode()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
