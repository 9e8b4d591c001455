//===- Workloads.cpp - The dlc side of dlc-bench --------------------------===//
//
// A measured dlc iteration records its ops and realizes them (dlc::sync() or
// reading the result), so that no lazy work is left pending outside the
// timed region. Tensors that are not needed after an iteration die inside
// it, so the compiler sees only the values a program would keep.
//
//===----------------------------------------------------------------------===//

#include "Workloads.h"
#include "Baselines.h"

#include <cmath>
#include <cstdio>
#include <exception>

namespace dlcbench {

void Results::attempt(const std::string &name, const std::string &mode,
                      int threads, const std::function<Record()> &measureOne) {
  std::fprintf(stderr, "  %-17s %-9s %d thread%s\n", name.c_str(), mode.c_str(),
               threads, threads == 1 ? "" : "s");
  try {
    add(measureOne());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s (%s, %d threads): %s\n", name.c_str(),
                 mode.c_str(), threads, e.what());
    add(makeError(name, mode, threads, e.what()));
    failed = true;
  }
}

void Results::add(Record record) { records.push_back(std::move(record)); }

const std::vector<std::string> &workloadNames() {
  static const std::vector<std::string> names = {
      "elementwise",      "softmax",  "layer_norm",    "sum",    "matmul_1024",
      "matmul_bias_relu", "mlp_step", "tiny_mlp_step", "compile"};
  return names;
}

namespace {

/// dlc's eager mode for a scope.
class EagerScope {
public:
  explicit EagerScope(bool eager) : previous(dlc::is_eager()) {
    dlc::set_eager(eager);
  }
  ~EagerScope() { dlc::set_eager(previous); }
  EagerScope(const EagerScope &) = delete;
  EagerScope &operator=(const EagerScope &) = delete;

private:
  bool previous;
};

const char *dlcMode(bool eager) { return eager ? "dlc-eager" : "dlc"; }

/// Realizes `t` and reads one element, so that its computation counts.
void consume(const dlc::Tensor &t) {
  dlc::sync();
  doNotOptimize(*t.data_ptr<float>());
}

/// Runs `body` in dlc's compiled and eager modes at `threads` threads.
void forEachDlcMode(Results &r, const std::string &name, int threads,
                    const std::function<Record(const std::string &)> &body) {
  for (bool eager : {false, true}) {
    const char *mode = dlcMode(eager);
    r.attempt(name, mode, threads, [&] {
      dlc::set_num_threads(threads);
      EagerScope scope(eager);
      return body(mode);
    });
  }
}

void copyLoopRecord(Results &r, const std::string &name, int64_t n,
                    int threads) {
  r.attempt(name, "copy-loop", threads, [&] {
    FloatBuffer x(n), y(n);
    Timing t = measure(r.options, [&] {
      copyLoop(x.data(), y.data(), n, threads);
      doNotOptimize(y.data()[n - 1]);
    });
    Record record =
        makeRecord(name, "copy-loop", threads, t, 2.0 * n * sizeof(float));
    record.set("note", "OpenMP y[i] = x[i] over the same bytes");
    return record;
  });
}

//===--- Memory-bound -----------------------------------------------------===//

void elementwise(Results &r, int threads) {
  const int64_t n = r.sizes.elementwise;
  const double bytes = 2.0 * n * sizeof(float);
  forEachDlcMode(r, "elementwise", threads, [&](const std::string &mode) {
    dlc::Tensor x = dlc::randn({n});
    dlc::sync();
    Timing t = measure(r.options, [&] {
      dlc::Tensor y = dlc::relu(x * 1.5 + 0.25) * 0.5;
      consume(y);
    });
    return makeRecord("elementwise", mode, threads, t, bytes);
  });
  copyLoopRecord(r, "elementwise", n, threads);
}

void softmax(Results &r, int threads) {
  const int64_t rows = r.sizes.rows, cols = r.sizes.cols;
  const double bytes = 2.0 * rows * cols * sizeof(float);
  forEachDlcMode(r, "softmax", threads, [&](const std::string &mode) {
    dlc::Tensor x = dlc::randn({rows, cols});
    dlc::sync();
    Timing t = measure(r.options, [&] {
      dlc::Tensor y = dlc::softmax(x, -1);
      consume(y);
    });
    return makeRecord("softmax", mode, threads, t, bytes);
  });
  copyLoopRecord(r, "softmax", rows * cols, threads);
}

void layerNorm(Results &r, int threads) {
  const int64_t rows = r.sizes.rows, cols = r.sizes.cols;
  const double bytes = 2.0 * rows * cols * sizeof(float);
  forEachDlcMode(r, "layer_norm", threads, [&](const std::string &mode) {
    dlc::Tensor x = dlc::randn({rows, cols});
    dlc::Tensor gamma = dlc::randn({cols});
    dlc::Tensor beta = dlc::randn({cols});
    dlc::sync();
    Timing t = measure(r.options, [&] {
      // dlc has no layer_norm yet: the composition torch::layer_norm
      // computes (biased variance, eps 1e-5).
      dlc::Tensor centered = x - x.mean({-1}, /*keepdim=*/true);
      dlc::Tensor var = (centered * centered).mean({-1}, /*keepdim=*/true);
      dlc::Tensor y = centered * dlc::rsqrt(var + 1e-5) * gamma + beta;
      centered = dlc::Tensor();
      var = dlc::Tensor();
      consume(y);
    });
    Record record = makeRecord("layer_norm", mode, threads, t, bytes);
    record.set("note", "composed: mean, centered square mean, rsqrt");
    return record;
  });
  copyLoopRecord(r, "layer_norm", rows * cols, threads);
}

void sum(Results &r, int threads) {
  const int64_t n = r.sizes.sum;
  const double bytes = 1.0 * n * sizeof(float);
  forEachDlcMode(r, "sum", threads, [&](const std::string &mode) {
    dlc::Tensor x = dlc::rand({n});
    dlc::sync();
    Timing t =
        measure(r.options, [&] { doNotOptimize(dlc::sum(x).item<float>()); });
    return makeRecord("sum", mode, threads, t, bytes);
  });
  r.attempt("sum", "read-loop", threads, [&] {
    FloatBuffer x(n);
    Timing t = measure(r.options,
                       [&] { doNotOptimize(readLoop(x.data(), n, threads)); });
    Record record = makeRecord("sum", "read-loop", threads, t, bytes);
    record.set("note", "OpenMP sum reduction over the same bytes");
    return record;
  });
}

//===--- GEMM -------------------------------------------------------------===//

/// The BLAS baselines of C = A B (+ bias, ReLU when `bias`).
void blasRecords(Results &r, const std::string &name, int threads, int64_t m,
                 int64_t k, int64_t n, bool biasRelu) {
  const double flops = 2.0 * m * n * k;
  auto finish = [&](Record record) {
    record.set("m", m);
    record.set("k", k);
    record.set("n", n);
    return record;
  };
  const char *epilogue =
      biasRelu ? "; bias and ReLU by a separate OpenMP loop" : "";

  if (haveOnednn()) {
    r.attempt(name, "onednn", threads, [&] {
      FloatBuffer a(m * k), b(k * n), c(m * n), bias(n);
      Timing t = measure(r.options, [&] {
        onednnSgemm(m, n, k, a.data(), b.data(), c.data(), threads);
        if (biasRelu)
          biasReluLoop(c.data(), bias.data(), m, n, threads);
        doNotOptimize(c.data()[0]);
      });
      Record record = makeRecord(name, "onednn", threads, t, 0, flops);
      record.set("note", std::string("dnnl_sgemm") + epilogue);
      return finish(record);
    });
  }

  OpenBlas *blas = OpenBlas::get();
  if (!blas->loaded()) {
    std::fprintf(stderr, "  openblas: not measured (%s)\n",
                 blas->error().c_str());
    return;
  }
  r.attempt(name, "openblas", threads, [&] {
    FloatBuffer a(m * k), b(k * n), c(m * n), bias(n);
    blas->setNumThreads(threads);
    Timing t = measure(r.options, [&] {
      blas->sgemm(m, n, k, a.data(), b.data(), c.data());
      if (biasRelu)
        biasReluLoop(c.data(), bias.data(), m, n, threads);
      doNotOptimize(c.data()[0]);
    });
    Record record = makeRecord(name, "openblas", threads, t, 0, flops);
    record.set("note", "cblas_sgemm, core " + blas->coreName() + epilogue);
    return finish(record);
  });
}

void matmul(Results &r, int threads) {
  const int64_t n = r.sizes.matmul;
  forEachDlcMode(r, "matmul_1024", threads, [&](const std::string &mode) {
    dlc::Tensor a = dlc::randn({n, n});
    dlc::Tensor b = dlc::randn({n, n});
    dlc::sync();
    Timing t = measure(r.options, [&] { consume(dlc::matmul(a, b)); });
    Record record =
        makeRecord("matmul_1024", mode, threads, t, 0, 2.0 * n * n * n);
    record.set("m", n);
    record.set("k", n);
    record.set("n", n);
    return record;
  });
  blasRecords(r, "matmul_1024", threads, n, n, n, /*biasRelu=*/false);
}

void matmulBiasRelu(Results &r, int threads) {
  const int64_t m = r.sizes.mbrM, k = r.sizes.mbrK, n = r.sizes.mbrN;
  forEachDlcMode(r, "matmul_bias_relu", threads, [&](const std::string &mode) {
    dlc::Tensor a = dlc::randn({m, k});
    dlc::Tensor b = dlc::randn({k, n});
    dlc::Tensor bias = dlc::randn({n});
    dlc::sync();
    Timing t = measure(r.options, [&] {
      // A statement, not one expression: temporaries
      // alive at the sync would be realized as outputs.
      dlc::Tensor y = dlc::relu(dlc::matmul(a, b) + bias);
      consume(y);
    });
    Record record =
        makeRecord("matmul_bias_relu", mode, threads, t, 0, 2.0 * m * n * k);
    record.set("m", m);
    record.set("k", k);
    record.set("n", n);
    return record;
  });
  blasRecords(r, "matmul_bias_relu", threads, m, k, n, /*biasRelu=*/true);
}

//===--- Training steps ---------------------------------------------------===//

/// Multiply-adds of one training step times two: the forward GEMMs, the
/// weight gradients, and the input gradients of every layer but the first.
double mlpStepFlops(const std::vector<int64_t> &widths, int64_t batch) {
  double flops = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    double gemm = 2.0 * batch * widths[i] * widths[i + 1];
    flops += (i == 0 ? 2 : 3) * gemm;
  }
  return flops;
}

void mlpStep(Results &r, const std::string &name,
             const std::vector<int64_t> &widths, int64_t batch, int threads) {
  forEachDlcMode(r, name, threads, [&](const std::string &mode) {
    dlc::manual_seed(0);
    DlcMlp mlp(widths, batch);
    Timing t = measure(r.options, [&] { doNotOptimize(mlp.step()); });
    Record record =
        makeRecord(name, mode, threads, t, 0, mlpStepFlops(widths, batch));
    record.set("batch", batch);
    return record;
  });
}

} // namespace

DlcMlp::DlcMlp(const std::vector<int64_t> &widths, int64_t batch) {
  input = dlc::randn({batch, widths.front()});
  labels = dlc::randint(0, widths.back(), {batch});
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    double scale = 1.0 / std::sqrt(static_cast<double>(widths[i]));
    params.push_back(dlc::randn({widths[i], widths[i + 1]}) * scale);
    params.push_back(dlc::zeros({widths[i + 1]}));
  }
  for (const dlc::Tensor &p : params)
    velocities.push_back(dlc::zeros_like(p));
  dlc::sync();
  for (dlc::Tensor &p : params)
    p.requires_grad_();
}

float DlcMlp::step() {
  // The forward pass in its own scope: only the loss outlives it.
  dlc::Tensor loss = [&] {
    dlc::Tensor h = input;
    for (size_t i = 0; i < params.size(); i += 2) {
      h = dlc::matmul(h, params[i]) + params[i + 1];
      if (i + 2 < params.size())
        h = dlc::relu(h);
    }
    // Cross-entropy: the mean negative log-likelihood of the labels.
    return -h.log_softmax(1).gather(1, labels.unsqueeze(1)).mean();
  }();
  loss.backward();
  {
    dlc::NoGradGuard noGrad;
    for (size_t i = 0; i < params.size(); ++i) {
      // torch::optim::SGD with momentum 0.9, dampening 0, lr 0.01; the
      // velocity starts at zero, so the first step sets it to the gradient
      // as SGD's does.
      velocities[i].mul_(0.9).add_(params[i].grad());
      params[i].sub_(velocities[i], 0.01);
      params[i].mutable_grad() = dlc::Tensor();
    }
  }
  dlc::sync();
  return loss.item<float>();
}

void runDlcWorkloads(Results &r, int threads) {
  if (selected(r.options, "elementwise"))
    elementwise(r, threads);
  if (selected(r.options, "softmax"))
    softmax(r, threads);
  if (selected(r.options, "layer_norm"))
    layerNorm(r, threads);
  if (selected(r.options, "sum"))
    sum(r, threads);
  if (selected(r.options, "matmul_1024"))
    matmul(r, threads);
  if (selected(r.options, "matmul_bias_relu"))
    matmulBiasRelu(r, threads);
  if (selected(r.options, "mlp_step"))
    mlpStep(r, "mlp_step", r.sizes.mlp, r.sizes.mlpBatch, threads);
  if (selected(r.options, "tiny_mlp_step"))
    mlpStep(r, "tiny_mlp_step", r.sizes.tiny, r.sizes.tinyBatch, threads);
}

} // namespace dlcbench
