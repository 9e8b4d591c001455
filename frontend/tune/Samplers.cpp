//===- Samplers.cpp - Random search and TPE -------------------------------===//
//
// Every draw comes from a generator seeded by hashing (seed, trial number,
// parameter name), so a proposal depends on nothing but its arguments: no
// generator state is shared between calls, threads or processes.
//
//===----------------------------------------------------------------------===//

#include "frontend/tune/Samplers.h"

#include "frontend/data/Random.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace dlc::tune {

namespace {

//===----------------------------------------------------------------------===//
// Randomness
//===----------------------------------------------------------------------===//

/// FNV-1a (64 bit) over `size` bytes, continuing from `hash`.
uint64_t fnv1a(uint64_t hash, const unsigned char *bytes, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint64_t fnv1a(uint64_t hash, uint64_t value) {
  // Byte by byte, least significant first: the same on every host.
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<unsigned char>(value >> (8 * i));
  return fnv1a(hash, bytes, sizeof(bytes));
}

/// The data pipeline's xoshiro256** (frontend/data/Random.h), seeded by a
/// hash of (seed, trial number, parameter name).
class Rng : public data::detail::Generator {
public:
  Rng(uint64_t seed, int64_t number, const std::string &name)
      : Generator(hashOf(seed, number, name)) {}

private:
  static uint64_t hashOf(uint64_t seed, int64_t number,
                         const std::string &name) {
    uint64_t hash = 0xcbf29ce484222325ULL;
    hash = fnv1a(hash, seed);
    hash = fnv1a(hash, static_cast<uint64_t>(number));
    return fnv1a(hash, reinterpret_cast<const unsigned char *>(name.data()),
                 name.size());
  }
};

//===----------------------------------------------------------------------===//
// The normal distribution
//===----------------------------------------------------------------------===//

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLogSqrt2Pi = 0.91893853320467274178; // log(sqrt(2 pi))

double normalCdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

/// log(erfc(t)); exact where erfc does not underflow, an asymptotic series
/// beyond.
double logErfc(double t) {
  if (t < 25)
    return std::log(std::erfc(t));
  double inv = 1 / (2 * t * t);
  double series = 1 - inv + 3 * inv * inv - 15 * inv * inv * inv;
  return -t * t - std::log(t) - 0.5 * std::log(std::numbers::pi) +
         std::log(series);
}

/// log(Phi(b) - Phi(a)) for a <= b, accurate in both tails.
double logNormalMass(double a, double b) {
  if (!(a < b))
    return -kInf;
  // Write the mass as a difference of upper tails of the side away from
  // the centre, where erfc keeps its relative precision.
  if (a >= 0 || b <= 0) {
    double near = a >= 0 ? a : -b, far = a >= 0 ? b : -a;
    double logNear = logErfc(near / std::numbers::sqrt2);
    if (far == kInf)
      return logNear - std::numbers::ln2;
    double logFar = logErfc(far / std::numbers::sqrt2);
    return logNear + std::log1p(-std::exp(logFar - logNear)) -
           std::numbers::ln2;
  }
  return std::log(0.5 * (std::erf(b / std::numbers::sqrt2) -
                         std::erf(a / std::numbers::sqrt2)));
}

/// The inverse of the standard normal CDF, for p in (0, 1): a rational
/// first guess (Acklam's coefficients) refined by Halley steps.
double normalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) *
        q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  for (int i = 0; i < 2; ++i) {
    double e = normalCdf(x) - p;
    double u = e * std::exp(0.5 * x * x + kLogSqrt2Pi);
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}

double logSumExp(const std::vector<double> &terms) {
  double top = -kInf;
  for (double t : terms)
    top = std::max(top, t);
  if (top == -kInf || top == kInf)
    return top;
  double sum = 0;
  for (double t : terms)
    sum += std::exp(t - top);
  return top + std::log(sum);
}

//===----------------------------------------------------------------------===//
// Random search
//===----------------------------------------------------------------------===//

double sampleUniform(Rng &rng, const Distribution &d) {
  switch (d.kind) {
  case Distribution::Kind::Categorical:
    return static_cast<double>(rng.below(d.choices.size()));
  case Distribution::Kind::Int: {
    if (d.log) {
      // Log-uniform over the widened range [low - 1/2, high + 1/2], so that
      // each int gets the log-width of its rounding interval.
      double lo = std::log(d.low - 0.5), hi = std::log(d.high + 0.5);
      double x = std::round(std::exp(lo + rng.uniform() * (hi - lo)));
      return std::clamp(x, d.low, d.high);
    }
    auto steps = static_cast<uint64_t>(std::llround((d.high - d.low) / d.step));
    return d.low + static_cast<double>(rng.below(steps + 1)) * d.step;
  }
  case Distribution::Kind::Float: {
    if (d.log) {
      double lo = std::log(d.low), hi = std::log(d.high);
      return std::clamp(std::exp(lo + rng.uniform() * (hi - lo)), d.low,
                        d.high);
    }
    return std::clamp(d.low + rng.uniform() * (d.high - d.low), d.low, d.high);
  }
  }
  return d.low;
}

class RandomSampler : public Sampler {
public:
  explicit RandomSampler(uint64_t seed) : seed(seed) {}

  double sample(const std::vector<FrozenTrial> &, const FrozenTrial &trial,
                const std::string &name, const Distribution &distribution,
                Direction) override {
    Rng rng(seed, trial.number, name);
    return sampleUniform(rng, distribution);
  }

private:
  uint64_t seed;
};

//===----------------------------------------------------------------------===//
// TPE
//===----------------------------------------------------------------------===//

/// A mixture of Gaussians truncated to [lo, hi], in the transformed space
/// (log for log ranges; an int's range widened by half a step each side).
class ParzenEstimator {
public:
  ParzenEstimator(const std::vector<double> &observations, double lo, double hi,
                  double priorWeight)
      : lo(lo), hi(hi) {
    double width = hi - lo;
    size_t n = observations.size();
    std::vector<double> sorted = observations;
    std::sort(sorted.begin(), sorted.end());
    double minSigma = width / std::min(100.0, 1.0 + static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) {
      double left = i == 0 ? lo : sorted[i - 1];
      double right = i + 1 == n ? hi : sorted[i + 1];
      double sigma = std::max(sorted[i] - left, right - sorted[i]);
      add(sorted[i], std::clamp(sigma, minSigma, width), 1.0);
    }
    // Without observations the prior is the whole estimator, whatever its
    // weight.
    if (priorWeight > 0 || n == 0)
      add(0.5 * (lo + hi), width, n == 0 ? 1.0 : priorWeight);
    double total = 0;
    for (const Component &c : components)
      total += c.weight;
    for (Component &c : components) {
      c.logWeight = std::log(c.weight / total);
      c.logMass = logNormalMass((lo - c.mu) / c.sigma, (hi - c.mu) / c.sigma);
    }
  }

  /// A draw: a component by weight, then its truncated normal by inverting
  /// its CDF.
  double sample(Rng &rng) const {
    double u = rng.uniform(), total = 0;
    for (const Component &c : components)
      total += c.weight;
    const Component *chosen = &components.back();
    double acc = 0;
    for (const Component &c : components) {
      acc += c.weight / total;
      if (u < acc) {
        chosen = &c;
        break;
      }
    }
    double pa = normalCdf((lo - chosen->mu) / chosen->sigma);
    double pb = normalCdf((hi - chosen->mu) / chosen->sigma);
    double p = pa + rng.uniform() * (pb - pa);
    double tiny = std::numeric_limits<double>::min();
    p = std::clamp(p, tiny, 1 - std::numeric_limits<double>::epsilon() / 2);
    return std::clamp(chosen->mu + chosen->sigma * normalQuantile(p), lo, hi);
  }

  /// The log density at x.
  double logPdf(double x) const {
    std::vector<double> terms;
    terms.reserve(components.size());
    for (const Component &c : components) {
      double z = (x - c.mu) / c.sigma;
      terms.push_back(c.logWeight - 0.5 * z * z - std::log(c.sigma) -
                      kLogSqrt2Pi - c.logMass);
    }
    return logSumExp(terms);
  }

  /// The log probability of [a, b] (an int's rounding interval).
  double logMass(double a, double b) const {
    std::vector<double> terms;
    terms.reserve(components.size());
    for (const Component &c : components)
      terms.push_back(
          c.logWeight +
          logNormalMass((a - c.mu) / c.sigma, (b - c.mu) / c.sigma) -
          c.logMass);
    return logSumExp(terms);
  }

private:
  struct Component {
    double mu, sigma, weight;
    double logWeight = 0, logMass = 0;
  };

  void add(double mu, double sigma, double weight) {
    components.push_back({std::clamp(mu, lo, hi), sigma, weight});
  }

  double lo, hi;
  std::vector<Component> components;
};

class TPESampler : public Sampler {
public:
  explicit TPESampler(const TPESamplerOptions &options) : options(options) {
    if (options.n_startup_trials < 0)
      throw Error("make_tpe_sampler: n_startup_trials must be >= 0, got " +
                  std::to_string(options.n_startup_trials));
    if (options.n_ei_candidates < 1)
      throw Error("make_tpe_sampler: n_ei_candidates must be >= 1, got " +
                  std::to_string(options.n_ei_candidates));
    if (!(options.gamma > 0 && options.gamma <= 1))
      throw Error("make_tpe_sampler: gamma must be in (0, 1], got " +
                  std::to_string(options.gamma));
    if (options.max_good < 1)
      throw Error("make_tpe_sampler: max_good must be >= 1, got " +
                  std::to_string(options.max_good));
    if (!(options.prior_weight >= 0 && std::isfinite(options.prior_weight)))
      throw Error("make_tpe_sampler: prior_weight must be finite and >= 0, "
                  "got " +
                  std::to_string(options.prior_weight));
  }

  double sample(const std::vector<FrozenTrial> &trials,
                const FrozenTrial &trial, const std::string &name,
                const Distribution &distribution,
                Direction direction) override {
    Rng rng(options.seed, trial.number, name);
    if (distribution.low == distribution.high)
      return distribution.low;

    std::vector<Observation> observed =
        observations(trials, trial, name, distribution, direction);
    size_t n = observed.size();
    if (n == 0 || static_cast<int64_t>(n) < options.n_startup_trials)
      return sampleUniform(rng, distribution);

    // Best first: Complete before Pruned, then by (direction-aware) value.
    std::stable_sort(observed.begin(), observed.end(),
                     [](const Observation &x, const Observation &y) {
                       if (x.pruned != y.pruned)
                         return !x.pruned;
                       return x.score < y.score;
                     });
    auto nGood = static_cast<size_t>(
        std::min<double>(std::ceil(options.gamma * static_cast<double>(n)),
                         static_cast<double>(options.max_good)));
    nGood = std::clamp<size_t>(nGood, 1, n);
    std::vector<double> good, bad;
    for (size_t i = 0; i < n; ++i)
      (i < nGood ? good : bad).push_back(observed[i].value);

    if (distribution.kind == Distribution::Kind::Categorical)
      return sampleCategorical(rng, distribution, good, bad);
    return sampleNumeric(rng, distribution, good, bad);
  }

private:
  struct Observation {
    double value; ///< The parameter's internal value.
    double score; ///< The objective, smaller is better.
    bool pruned;
  };

  /// The finished trials that have `name` with this very distribution.
  static std::vector<Observation>
  observations(const std::vector<FrozenTrial> &trials, const FrozenTrial &self,
               const std::string &name, const Distribution &distribution,
               Direction direction) {
    std::vector<Observation> result;
    for (const FrozenTrial &t : trials) {
      if (t.number == self.number)
        continue;
      bool pruned = t.state == TrialState::Pruned;
      if (t.state != TrialState::Complete && !pruned)
        continue;
      auto param = t.params.find(name);
      auto dist = t.distributions.find(name);
      if (param == t.params.end() || dist == t.distributions.end() ||
          !(dist->second == distribution))
        continue;
      std::optional<double> objective;
      if (pruned && !t.intermediate_values.empty())
        objective = t.intermediate_values.rbegin()->second;
      else
        objective = t.value;
      if (!objective || std::isnan(*objective))
        continue;
      double score =
          direction == Direction::Maximize ? -*objective : *objective;
      result.push_back({param->second, score, pruned});
    }
    return result;
  }

  double sampleCategorical(Rng &rng, const Distribution &distribution,
                           const std::vector<double> &good,
                           const std::vector<double> &bad) const {
    size_t k = distribution.choices.size();
    auto probabilities = [&](const std::vector<double> &values) {
      double prior = options.prior_weight / static_cast<double>(k);
      std::vector<double> p(k, prior);
      for (double v : values) {
        auto index = static_cast<size_t>(std::clamp<long long>(
            std::llround(v), 0, static_cast<long long>(k) - 1));
        p[index] += 1;
      }
      double total = 0;
      for (double x : p)
        total += x;
      for (double &x : p)
        x = total > 0 ? x / total : 1.0 / static_cast<double>(k);
      return p;
    };
    std::vector<double> l = probabilities(good), g = probabilities(bad);
    size_t best = 0;
    double bestScore = -kInf;
    for (int64_t i = 0; i < options.n_ei_candidates; ++i) {
      double u = rng.uniform(), acc = 0;
      size_t choice = k - 1;
      for (size_t j = 0; j < k; ++j) {
        acc += l[j];
        if (u < acc && l[j] > 0) {
          choice = j;
          break;
        }
      }
      double score = std::log(l[choice]) - std::log(g[choice]);
      if (std::isnan(score))
        score = -kInf;
      if (i == 0 || score > bestScore) {
        best = choice;
        bestScore = score;
      }
    }
    return static_cast<double>(best);
  }

  double sampleNumeric(Rng &rng, const Distribution &d,
                       const std::vector<double> &good,
                       const std::vector<double> &bad) const {
    bool isInt = d.kind == Distribution::Kind::Int;
    double halfStep = isInt ? 0.5 * d.step : 0.0;
    auto forward = [&](double x) { return d.log ? std::log(x) : x; };
    auto backward = [&](double y) { return d.log ? std::exp(y) : y; };
    double lo = forward(d.low - halfStep), hi = forward(d.high + halfStep);
    auto transform = [&](const std::vector<double> &values) {
      std::vector<double> result;
      result.reserve(values.size());
      for (double v : values)
        result.push_back(std::clamp(forward(v), lo, hi));
      return result;
    };
    ParzenEstimator l(transform(good), lo, hi, options.prior_weight);
    ParzenEstimator g(transform(bad), lo, hi, options.prior_weight);

    double best = d.low, bestScore = -kInf;
    for (int64_t i = 0; i < options.n_ei_candidates; ++i) {
      double y = l.sample(rng);
      double value, score;
      if (isInt) {
        // An int's probability is its rounding interval's mass.
        value = d.low + std::round((backward(y) - d.low) / d.step) * d.step;
        value = std::clamp(value, d.low, d.high);
        double a = forward(value - halfStep), b = forward(value + halfStep);
        score = l.logMass(a, b) - g.logMass(a, b);
      } else {
        value = std::clamp(backward(y), d.low, d.high);
        score = l.logPdf(y) - g.logPdf(y);
      }
      if (std::isnan(score))
        score = -kInf;
      if (i == 0 || score > bestScore) {
        best = value;
        bestScore = score;
      }
    }
    return best;
  }

  TPESamplerOptions options;
};

} // namespace

std::shared_ptr<Sampler> make_random_sampler(uint64_t seed) {
  return std::make_shared<RandomSampler>(seed);
}

std::shared_ptr<Sampler> make_tpe_sampler(const TPESamplerOptions &options) {
  return std::make_shared<TPESampler>(options);
}

} // namespace dlc::tune
