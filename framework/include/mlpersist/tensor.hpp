#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mlpersist/export.hpp>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace mlpersist {

/// Element types a Tensor can hold. Values are part of the file formats: never renumber.
enum class DType : std::uint8_t { kFloat64 = 1, kFloat32 = 2, kInt64 = 3, kInt32 = 4, kUInt8 = 5 };

/// "float64", "int64", ...: the names used in every backend.
MLPERSIST_API std::string_view dtype_name(DType dtype) noexcept;
/// Inverse of dtype_name; false when the name is unknown.
[[nodiscard]] MLPERSIST_API std::optional<DType> dtype_from_name(std::string_view name) noexcept;
/// Size of one element in bytes.
MLPERSIST_API std::size_t dtype_size(DType dtype) noexcept;

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<double>() {
  return DType::kFloat64;
}
template <>
constexpr DType dtype_of<float>() {
  return DType::kFloat32;
}
template <>
constexpr DType dtype_of<std::int64_t>() {
  return DType::kInt64;
}
template <>
constexpr DType dtype_of<std::int32_t>() {
  return DType::kInt32;
}
template <>
constexpr DType dtype_of<std::uint8_t>() {
  return DType::kUInt8;
}

/// A deferred check of borrowed bytes (a mapped file's integrity), run at most once, before the
/// bytes are first read: a mapped load stays O(1) and still no byte is used unverified. When the
/// check throws, the tensor stays unverified and every later access throws again.
class MLPERSIST_API LazyCheck {
 public:
  virtual ~LazyCheck();
  /// Runs the check unless it has passed before; thread-safe.
  void ensure() const {
    std::call_once(once_, [this] { run(); });
  }

 private:
  virtual void run() const = 0;
  mutable std::once_flag once_;
};

/// A dense, row-major (C-order) n-dimensional array.
///
/// In memory the elements are in the host's byte order; every backend writes them little-endian
/// (and swaps on big-endian hosts). The data is either owned (allocated 64-byte aligned) or
/// borrowed from a buffer such as a mapped file, which a shared owner handle keeps alive for as
/// long as any Tensor refers to it. Copies of a Tensor share the data (it is immutable once
/// published; `mutable_data` is only for the code that fills a freshly allocated tensor).
class MLPERSIST_API Tensor {
 public:
  using Shape = std::vector<std::uint64_t>;

  /// An empty float64 tensor of shape {0}.
  Tensor();

  /// Allocates uninitialised storage. Throws Error(kLimitExceeded) when the byte size overflows.
  static Tensor allocate(DType dtype, Shape shape);
  /// Refers to `data` without copying; `owner` keeps it alive. The caller guarantees the size.
  /// With `check`, every access to the data first runs it (once).
  static Tensor borrow(DType dtype, Shape shape, const std::byte* data,
                       std::shared_ptr<const void> owner,
                       std::shared_ptr<const LazyCheck> check = nullptr);

  /// Copies an Eigen matrix or vector (any storage order) into a new tensor of rank 2 or 1.
  /// Defined in <mlpersist/eigen.hpp>, so that code without Eigen (backends, the container, the
  /// CLI) does not parse it.
  template <class EigenMatrix>
  static Tensor from_matrix(const EigenMatrix& m);
  template <class EigenVector>
  static Tensor from_vector(const EigenVector& v);
  template <class T>
  static Tensor from_values(std::span<const T> values);

  [[nodiscard]] DType dtype() const noexcept { return dtype_; }
  [[nodiscard]] const Shape& shape() const noexcept { return shape_; }
  [[nodiscard]] std::size_t rank() const noexcept { return shape_.size(); }
  [[nodiscard]] std::uint64_t size() const noexcept { return elements_; }
  [[nodiscard]] std::size_t nbytes() const noexcept { return elements_ * dtype_size(dtype_); }
  /// The elements' bytes. Runs the pending lazy check first (which may throw FormatError).
  [[nodiscard]] const std::byte* data() const {
    if (check_) check_->ensure();
    return data_;
  }
  /// True when the data lives in a buffer this tensor does not own (e.g. a mapped file).
  [[nodiscard]] bool borrowed() const noexcept { return borrowed_; }
  /// True when the data has a check that has not run yet (see LazyCheck).
  [[nodiscard]] bool has_lazy_check() const noexcept { return check_ != nullptr; }
  [[nodiscard]] std::span<const std::byte> bytes() const { return {data(), nbytes()}; }

  /// Elements as T. Throws SchemaError when T is not the tensor's dtype.
  template <class T>
  [[nodiscard]] std::span<const T> values() const;
  /// Writable elements of a tensor made by allocate(). Throws on borrowed tensors.
  template <class T>
  [[nodiscard]] T* mutable_data();

  /// The untyped writable bytes of a tensor made by allocate() (decoders copying raw data).
  /// Throws on borrowed tensors.
  [[nodiscard]] std::byte* mutable_bytes() {
    check_owned();
    return const_cast<std::byte*>(data_);
  }

  /// Zero-copy Eigen views (Eigen::Map). matrix() needs rank 2, vector() rank 1. Defined in
  /// <mlpersist/eigen.hpp>, like from_matrix.
  template <class T = double>
  [[nodiscard]] auto matrix() const;
  template <class T = double>
  [[nodiscard]] auto vector() const;

  /// Same dtype, shape and bytes.
  friend MLPERSIST_API bool operator==(const Tensor& a, const Tensor& b);

 private:
  // Checks the element count; data and owner are set by the caller.
  Tensor(DType dtype, Shape shape);
  void check_dtype(DType wanted) const;
  void check_rank(std::size_t wanted) const;
  void check_owned() const;

  DType dtype_ = DType::kFloat64;
  Shape shape_{0};
  std::uint64_t elements_ = 0;
  const std::byte* data_ = nullptr;
  std::shared_ptr<const void> owner_;
  std::shared_ptr<const LazyCheck> check_;
  bool borrowed_ = false;
};

/// The element count of a tensor of `dtype` and `shape` if every dimension and the count are at
/// most `max_elements` and the byte size fits int64 (what Tensor and Eigen index with), else
/// nullopt. Decoders check claimed shapes with it before allocating; a zero dimension does not
/// excuse the others.
[[nodiscard]] MLPERSIST_API std::optional<std::uint64_t> checked_element_count(
    DType dtype, const Tensor::Shape& shape, std::uint64_t max_elements) noexcept;

template <class T>
Tensor Tensor::from_values(std::span<const T> values) {
  Tensor t = allocate(dtype_of<T>(), {static_cast<std::uint64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.mutable_data<T>());
  return t;
}

template <class T>
std::span<const T> Tensor::values() const {
  check_dtype(dtype_of<T>());
  return {reinterpret_cast<const T*>(data()), static_cast<std::size_t>(elements_)};
}

template <class T>
T* Tensor::mutable_data() {
  check_dtype(dtype_of<T>());
  check_owned();
  return reinterpret_cast<T*>(const_cast<std::byte*>(data_));
}

}  // namespace mlpersist
