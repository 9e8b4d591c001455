//===- dlc-bench-torch.cpp - The LibTorch side of dlc-bench ---------------===//
//
// dlc-bench-torch --mode torch|torch-as-installed --threads N [--quick]
//                 [--filter SUBSTR] [--warmup N] [--reps N]
//                 [--min-seconds S] [--suite ops|models] [--model NAME]
//                 [--packed]
//
// Runs the workloads of dlc-bench with LibTorch and prints one JSON record
// per workload on stdout; with `--suite models --model NAME`, the training
// step of one CTR model (TorchModels.cpp) and its one record. `--packed`
// runs DIN's and DIEN's attention over the valid history steps only, packed
// into rows, rather than over the padded history with the padding masked
// (dlc's way); their records then say "variant": "packed". dlc-bench runs
// it as a child process, because the environment that tunes LibTorch
// (OPENBLAS_CORETYPE, OMP_NUM_THREADS, ...) must be set before its libraries
// load; `--mode` only names the records.
// Built only when CMake finds Torch; C++17, as LibTorch 1.13 wants.
//
//===----------------------------------------------------------------------===//

#include "Bench.h"
#include "TorchModels.h"

#include <torch/torch.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

using namespace dlcbench;

namespace {

/// The core type of the OpenBLAS LibTorch loaded (what OPENBLAS_CORETYPE
/// did), or "" when LibTorch uses another BLAS.
std::string openblasCore() {
  auto coreName = reinterpret_cast<char *(*)()>(
      dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char *name = coreName ? coreName() : nullptr;
  return name ? name : "";
}

struct TorchRun {
  Options options;
  Sizes sizes = makeSizes(false);
  std::string mode = "torch";
  int threads = 1;
  bool failed = false;

  /// Runs `measureOne` and prints its record (or the error).
  void attempt(const std::string &name,
               const std::function<Record()> &measureOne) {
    if (!selected(options, name))
      return;
    std::fprintf(stderr, "    %-17s %s, %d thread%s\n", name.c_str(),
                 mode.c_str(), threads, threads == 1 ? "" : "s");
    Record record;
    try {
      record = measureOne();
    } catch (const std::exception &e) {
      std::string message = e.what();
      // c10::Error appends a C++ backtrace: the first line says it.
      record =
          makeError(name, mode, threads, message.substr(0, message.find('\n')));
      failed = true;
    }
    if (std::string core = openblasCore(); !core.empty())
      record.set("openblas_core", core);
    std::printf("%s\n", toJson(record).c_str());
    std::fflush(stdout);
  }

  Record make(const std::string &name, const Timing &t, double bytes = 0,
              double flops = 0) const {
    return makeRecord(name, mode, threads, t, bytes, flops);
  }
};

void consume(const torch::Tensor &t) { doNotOptimize(*t.data_ptr<float>()); }

/// The same MLP step as dlc-bench's DlcMlp: ReLU MLP, cross-entropy
/// (log_softmax + nll_loss, which is what torch::nn::CrossEntropyLoss
/// computes), SGD with momentum 0.9 and lr 0.01 as torch::optim::SGD does it,
/// gradients reset to undefined (zero_grad(set_to_none)). The layers use
/// addmm, as torch::nn::Linear does.
class TorchMlp {
public:
  TorchMlp(const std::vector<int64_t> &widths, int64_t batch) {
    input = torch::randn({batch, widths.front()});
    labels = torch::randint(0, widths.back(), {batch}, torch::kLong);
    for (size_t i = 0; i + 1 < widths.size(); ++i) {
      double scale = 1.0 / std::sqrt(static_cast<double>(widths[i]));
      params.push_back(
          (torch::randn({widths[i], widths[i + 1]}) * scale).requires_grad_());
      params.push_back(torch::zeros({widths[i + 1]}).requires_grad_());
    }
    for (const torch::Tensor &p : params)
      velocities.push_back(torch::zeros_like(p));
  }

  float step() {
    torch::Tensor loss;
    {
      torch::Tensor h = input;
      for (size_t i = 0; i < params.size(); i += 2) {
        h = torch::addmm(params[i + 1], h, params[i]);
        if (i + 2 < params.size())
          h = torch::relu(h);
      }
      loss = torch::nll_loss(torch::log_softmax(h, 1), labels);
    }
    loss.backward();
    {
      torch::NoGradGuard noGrad;
      for (size_t i = 0; i < params.size(); ++i) {
        velocities[i].mul_(0.9).add_(params[i].grad());
        params[i].sub_(velocities[i], 0.01);
        params[i].mutable_grad().reset();
      }
    }
    return loss.item<float>();
  }

private:
  torch::Tensor input, labels;
  std::vector<torch::Tensor> params, velocities;
};

double mlpStepFlops(const std::vector<int64_t> &widths, int64_t batch) {
  double flops = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i)
    flops += (i == 0 ? 2 : 3) * 2.0 * batch * widths[i] * widths[i + 1];
  return flops;
}

void runAll(TorchRun &run) {
  const Sizes &s = run.sizes;
  const Options &o = run.options;

  run.attempt("elementwise", [&] {
    const int64_t n = s.elementwise;
    torch::Tensor x = torch::randn({n});
    // The expression dlc runs, as a LibTorch program would write it.
    Timing t = measure(o, [&] { consume(torch::relu(x * 1.5 + 0.25) * 0.5); });
    // And rewritten by hand to allocate one output instead of four.
    Timing inPlace = measure(o, [&] {
      torch::Tensor y = x.mul(1.5);
      y.add_(0.25).relu_().mul_(0.5);
      consume(y);
    });
    Record r = run.make("elementwise", t, 2.0 * n * sizeof(float));
    r.set("inplace_median_ms", inPlace.medianMs);
    r.set("note", "relu(x * 1.5 + 0.25) * 0.5; inplace_median_ms: "
                  "x.mul(1.5).add_(0.25).relu_().mul_(0.5)");
    return r;
  });

  run.attempt("softmax", [&] {
    torch::Tensor x = torch::randn({s.rows, s.cols});
    Timing t = measure(o, [&] { consume(torch::softmax(x, -1)); });
    return run.make("softmax", t, 2.0 * s.rows * s.cols * sizeof(float));
  });

  run.attempt("layer_norm", [&] {
    torch::Tensor x = torch::randn({s.rows, s.cols});
    torch::Tensor gamma = torch::randn({s.cols});
    torch::Tensor beta = torch::randn({s.cols});
    Timing t = measure(
        o, [&] { consume(torch::layer_norm(x, {s.cols}, gamma, beta, 1e-5)); });
    return run.make("layer_norm", t, 2.0 * s.rows * s.cols * sizeof(float));
  });

  run.attempt("sum", [&] {
    torch::Tensor x = torch::rand({s.sum});
    Timing t = measure(o, [&] { doNotOptimize(x.sum().item<float>()); });
    return run.make("sum", t, 1.0 * s.sum * sizeof(float));
  });

  run.attempt("matmul_1024", [&] {
    const int64_t n = s.matmul;
    torch::Tensor a = torch::randn({n, n});
    torch::Tensor b = torch::randn({n, n});
    Timing t = measure(o, [&] { consume(torch::mm(a, b)); });
    Record r = run.make("matmul_1024", t, 0, 2.0 * n * n * n);
    r.set("m", n);
    r.set("k", n);
    r.set("n", n);
    return r;
  });

  run.attempt("matmul_bias_relu", [&] {
    torch::Tensor a = torch::randn({s.mbrM, s.mbrK});
    torch::Tensor b = torch::randn({s.mbrK, s.mbrN});
    torch::Tensor bias = torch::randn({s.mbrN});
    Timing t = measure(o, [&] { consume(torch::addmm(bias, a, b).relu_()); });
    Record r =
        run.make("matmul_bias_relu", t, 0, 2.0 * s.mbrM * s.mbrN * s.mbrK);
    r.set("m", s.mbrM);
    r.set("k", s.mbrK);
    r.set("n", s.mbrN);
    r.set("note", "addmm then relu_");
    return r;
  });

  auto mlp = [&](const std::string &name, const std::vector<int64_t> &widths,
                 int64_t batch) {
    run.attempt(name, [&] {
      torch::manual_seed(0);
      TorchMlp model(widths, batch);
      Timing t = measure(o, [&] { doNotOptimize(model.step()); });
      Record r = run.make(name, t, 0, mlpStepFlops(widths, batch));
      r.set("batch", batch);
      return r;
    });
  };
  mlp("mlp_step", s.mlp, s.mlpBatch);
  mlp("tiny_mlp_step", s.tiny, s.tinyBatch);
}

bool parseInt(const char *text, long low, long high, long &out) {
  char *end = nullptr;
  out = std::strtol(text, &end, 10);
  return *text && !*end && out >= low && out <= high;
}

} // namespace

int main(int argc, char **argv) {
  TorchRun run;
  std::string suite = "ops", model;
  bool packed = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : nullptr;
    long n = 0;
    bool ok = true;
    if (arg == "--quick") {
      run.options.quick = true;
      continue;
    }
    if (arg == "--packed") {
      packed = true;
      continue;
    }
    if (!value) {
      ok = false;
    } else if (arg == "--mode") {
      run.mode = value;
    } else if (arg == "--suite") {
      suite = value;
      ok = suite == "ops" || suite == "models";
    } else if (arg == "--model") {
      model = value;
    } else if (arg == "--filter") {
      run.options.filter = value;
    } else if (arg == "--threads") {
      ok = parseInt(value, 1, 4096, n);
      run.threads = static_cast<int>(n);
    } else if (arg == "--warmup") {
      ok = parseInt(value, 0, 1000000, n);
      run.options.warmup = static_cast<int>(n);
    } else if (arg == "--reps") {
      ok = parseInt(value, 1, 1000000, n);
      run.options.minReps = static_cast<int>(n);
    } else if (arg == "--min-seconds") {
      char *end = nullptr;
      run.options.minSeconds = std::strtod(value, &end);
      ok = *value && !*end && run.options.minSeconds >= 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "dlc-bench-torch: bad argument `%s`\n", arg.c_str());
      return 2;
    }
    ++i;
  }
  if (suite == "models" && model.empty()) {
    std::fprintf(stderr, "dlc-bench-torch: --suite models needs --model "
                         "NAME (deepfm, dcn, fibinet, din, dien)\n");
    return 2;
  }
  run.sizes = makeSizes(run.options.quick);
  torch::set_num_threads(run.threads);
  if (suite == "models")
    run.attempt(model, [&] {
      return measureTorchModel(model, run.mode, run.threads, run.options,
                               packed);
    });
  else
    runAll(run);
  return run.failed ? 1 : 0;
}
