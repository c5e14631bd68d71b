#include "hgb_splitter.hpp"

#include <algorithm>

#include "hgb_parallel.hpp"

namespace mlpersist::ensemble::hgb {
namespace {

// The running sums of one side of a candidate split.
struct Side {
  std::uint32_t n = 0;
  double g = 0;
  double h = 0;
  void add(const HistBin& bin, bool constant_hessians) {
    n += bin.count;
    h += constant_hessians ? static_cast<double>(bin.count) : bin.sum_hessians;
    g += bin.sum_gradients;
  }
};

// Loss reduction of a split (XGBoost's equation 7, from the node's value as scikit-learn does).
double split_gain(double g_left, double h_left, double g_right, double h_right, double loss_node,
                  double l2) {
  double gain = loss_node;
  gain -= g_left * compute_node_value(g_left, h_left, l2);
  gain -= g_right * compute_node_value(g_right, h_right, l2);
  return gain;
}

struct Best {
  bool found = false;
  double gain;
  std::uint32_t bin_idx = 0;
  double g_left = 0, h_left = 0;
  std::uint32_t n_left = 0;
};

// Offers the split with `left` on the left; `ok` is false to skip, and the return value says
// whether scanning further can still find a valid split.
enum class Verdict { kSkip, kStop, kTry };

Verdict check_sides(const SplitterContext& ctx, std::uint32_t n_near, double h_near,
                    std::uint32_t n_far, double h_far) {
  const auto min_leaf = static_cast<std::uint64_t>(ctx.min_samples_leaf);
  if (n_near < min_leaf) return Verdict::kSkip;
  if (n_far < min_leaf) return Verdict::kStop;
  if (h_near < ctx.min_hessian_to_split) return Verdict::kSkip;
  if (h_far < ctx.min_hessian_to_split) return Verdict::kStop;
  return Verdict::kTry;
}

void record(SplitInfo& out, const Best& best, std::uint32_t n_samples, double sum_g, double sum_h,
            double l2) {
  out.gain = best.gain;
  out.bin_idx = best.bin_idx;
  out.sum_gradient_left = best.g_left;
  out.sum_gradient_right = sum_g - best.g_left;
  out.sum_hessian_left = best.h_left;
  out.sum_hessian_right = sum_h - best.h_left;
  out.n_samples_left = best.n_left;
  out.n_samples_right = n_samples - best.n_left;
  out.value_left = compute_node_value(out.sum_gradient_left, out.sum_hessian_left, l2);
  out.value_right = compute_node_value(out.sum_gradient_right, out.sum_hessian_right, l2);
}

void left_to_right(const SplitterContext& ctx, const HistBin* hist, std::size_t f,
                   std::uint32_t n_samples, double sum_g, double sum_h, double value,
                   SplitInfo& out) {
  // The last non-missing bin never goes left unless missing values exist to go right.
  const std::uint32_t end = (*ctx.n_bins_non_missing)[f] - 1 + (*ctx.has_missing_values)[f];
  const double loss_node = sum_g * value;
  Side left;
  Best best{.gain = -1};
  for (std::uint32_t b = 0; b < end; ++b) {
    left.add(hist[b], ctx.hessians_are_constant);
    const double h_right = sum_h - left.h;
    const double g_right = sum_g - left.g;
    const Verdict v = check_sides(ctx, left.n, left.h, n_samples - left.n, h_right);
    if (v == Verdict::kSkip) continue;
    if (v == Verdict::kStop) break;
    const double gain =
        split_gain(left.g, left.h, g_right, h_right, loss_node, ctx.l2_regularization);
    if (gain > best.gain && gain > 0) best = {true, gain, b, left.g, left.h, left.n};
  }
  if (!best.found) return;
  record(out, best, n_samples, sum_g, sum_h, ctx.l2_regularization);
  out.missing_go_to_left = false;
}

void right_to_left(const SplitterContext& ctx, const HistBin* hist, std::size_t f,
                   std::uint32_t n_samples, double sum_g, double sum_h, double value,
                   SplitInfo& out) {
  const double loss_node = sum_g * value;
  Side right;
  Best best{.gain = out.gain};  // what the left-to-right scan found
  for (std::int64_t b = static_cast<std::int64_t>((*ctx.n_bins_non_missing)[f]) - 2; b >= 0; --b) {
    right.add(hist[b + 1], ctx.hessians_are_constant);
    const double h_left = sum_h - right.h;
    const double g_left = sum_g - right.g;
    const std::uint32_t n_left = n_samples - right.n;
    const Verdict v = check_sides(ctx, right.n, right.h, n_left, h_left);
    if (v == Verdict::kSkip) continue;
    if (v == Verdict::kStop) break;
    const double gain =
        split_gain(g_left, h_left, right.g, right.h, loss_node, ctx.l2_regularization);
    if (gain > best.gain && gain > 0)
      best = {true, gain, static_cast<std::uint32_t>(b), g_left, h_left, n_left};
  }
  if (!best.found) return;
  record(out, best, n_samples, sum_g, sum_h, ctx.l2_regularization);
  out.missing_go_to_left = true;
}

struct CatInfo {
  std::uint32_t bin_idx;
  double value;
};

// glibc 2.36's qsort (a top-down merge sort) with scikit-learn's comparator, which never
// answers "equal": ties come out in the order glibc leaves them, reproduced here.
void glibc_msort(std::vector<CatInfo>& v, std::size_t lo, std::size_t n,
                 std::vector<CatInfo>& tmp) {
  if (n <= 1) return;
  const std::size_t n1 = n / 2, n2 = n - n1;
  glibc_msort(v, lo, n1, tmp);
  glibc_msort(v, lo + n1, n2, tmp);
  std::size_t i = lo, j = lo + n1, k = 0;
  while (i < lo + n1 && j < lo + n) tmp[k++] = v[i].value < v[j].value ? v[i++] : v[j++];
  while (i < lo + n1) tmp[k++] = v[i++];
  while (j < lo + n) tmp[k++] = v[j++];
  std::copy(tmp.begin(), tmp.begin() + static_cast<std::ptrdiff_t>(n),
            v.begin() + static_cast<std::ptrdiff_t>(lo));
}

// Categories with enough support, ordered by gradient / (hessian + 10); missing values are one
// more category.
std::vector<CatInfo> sorted_categories(const SplitterContext& ctx, const HistBin* hist,
                                       std::size_t f, std::uint32_t n_samples, double sum_h) {
  constexpr double kMinCatSupport = 10.;
  const double support_factor = n_samples / sum_h;
  std::vector<CatInfo> cats;
  const auto consider = [&](std::uint32_t b) {
    const double h =
        ctx.hessians_are_constant ? static_cast<double>(hist[b].count) : hist[b].sum_hessians;
    if (h * support_factor >= kMinCatSupport)
      cats.push_back({b, hist[b].sum_gradients / (h + kMinCatSupport)});
  };
  for (std::uint32_t b = 0; b < (*ctx.n_bins_non_missing)[f]; ++b) consider(b);
  if ((*ctx.has_missing_values)[f]) consider(ctx.missing_values_bin_idx);
  std::vector<CatInfo> tmp(cats.size());
  glibc_msort(cats, 0, cats.size(), tmp);
  return cats;
}

void categorical(const SplitterContext& ctx, const HistBin* hist, std::size_t f,
                 std::uint32_t n_samples, double sum_g, double sum_h, double value,
                 SplitInfo& out) {
  const std::vector<CatInfo> cats = sorted_categories(ctx, hist, f, n_samples, sum_h);
  const std::size_t used = cats.size();
  if (used <= 1) return;
  const double loss_node = sum_g * value;
  Best best{.gain = -1};
  std::size_t best_thresh = 0;
  int best_direction = 0;
  for (const int direction : {1, -1}) {
    const std::size_t middle = direction == 1 ? (used + 1) / 2 : (used + 1) / 2 - 1;
    Side left;
    for (std::size_t i = 0; i < middle; ++i) {
      const std::size_t sorted = direction == 1 ? i : used - 1 - i;
      left.add(hist[cats[sorted].bin_idx], ctx.hessians_are_constant);
      const std::uint32_t n_right = n_samples - left.n;
      const double h_right = sum_h - left.h;
      const double g_right = sum_g - left.g;
      const auto min_leaf = static_cast<std::uint64_t>(ctx.min_samples_leaf);
      if (left.n < min_leaf || left.h < ctx.min_hessian_to_split) continue;
      if (n_right < min_leaf || h_right < ctx.min_hessian_to_split) break;
      const double gain =
          split_gain(left.g, left.h, g_right, h_right, loss_node, ctx.l2_regularization);
      if (gain > best.gain && gain > 0) {
        best = {true, gain, 0, left.g, left.h, left.n};
        best_thresh = sorted;
        best_direction = direction;
      }
    }
  }
  if (!best.found) return;
  record(out, best, n_samples, sum_g, sum_h, ctx.l2_regularization);
  out.left_cat_bitset = {};
  if (best_direction == 1) {
    for (std::size_t s = 0; s <= best_thresh; ++s) set_bitset(out.left_cat_bitset, cats[s].bin_idx);
  } else {
    for (std::size_t s = best_thresh; s < used; ++s)
      set_bitset(out.left_cat_bitset, cats[s].bin_idx);
  }
  if ((*ctx.has_missing_values)[f])
    out.missing_go_to_left = in_bitset(out.left_cat_bitset, ctx.missing_values_bin_idx);
}

}  // namespace

SplitInfo find_node_split(const SplitterContext& ctx, const std::vector<HistBin>& histograms,
                          std::uint32_t n_samples, double sum_gradients, double sum_hessians,
                          double value) {
  const auto n_features = static_cast<std::int64_t>(ctx.n_bins_non_missing->size());
  std::vector<SplitInfo> infos(static_cast<std::size_t>(n_features));
  [[maybe_unused]] const bool parallel =
      static_cast<double>(n_features) * ctx.n_bins >= kParallelWork;
  MLPERSIST_HGB_PARALLEL_FOR
  for (std::int64_t fi = 0; fi < n_features; ++fi) {
    const auto f = static_cast<std::size_t>(fi);
    SplitInfo& info = infos[f];
    info.feature_idx = fi;
    info.is_categorical = (*ctx.is_categorical)[f] != 0;
    const HistBin* hist = histograms.data() + f * ctx.n_bins;
    if (info.is_categorical) {
      categorical(ctx, hist, f, n_samples, sum_gradients, sum_hessians, value, info);
    } else {
      left_to_right(ctx, hist, f, n_samples, sum_gradients, sum_hessians, value, info);
      if ((*ctx.has_missing_values)[f])
        right_to_left(ctx, hist, f, n_samples, sum_gradients, sum_hessians, value, info);
    }
  }
  // The first feature with the strictly largest gain wins, as in scikit-learn.
  std::size_t best = 0;
  for (std::size_t f = 1; f < infos.size(); ++f)
    if (infos[f].gain > infos[best].gain) best = f;
  return infos[best];
}

}  // namespace mlpersist::ensemble::hgb
