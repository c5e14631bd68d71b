#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/text.hpp>
#include <string>

namespace mlpersist {

void Node::fail(std::string_view what) const {
  throw SchemaError(ErrorCode::kSchemaMismatch,
                    "at document path '" + (path_.empty() ? std::string("(root)") : path_) +
                        "': " + std::string(what));
}

void Node::fail_kind(std::string_view expected) const {
  fail("expected " + std::string(expected) + ", found " + std::string(kind_name(value_->kind())));
}

Node Node::operator[](std::string_view key) const {
  if (auto child = find(key)) return *child;
  fail("missing required key '" + std::string(key) + "'");
}

std::optional<Node> Node::find(std::string_view key) const {
  const Value* child = as_map().find(key);
  if (child == nullptr) return std::nullopt;
  // One allocation at most: estimators look up every state key through here.
  std::string path;
  path.reserve(path_.size() + 1 + key.size());
  path += path_;
  if (!path_.empty()) path += '.';
  path += key;
  return Node(*child, std::move(path));
}

Node Node::operator[](std::size_t index) const {
  const Array& a = as_array();
  if (index >= a.size())
    fail("index " + std::to_string(index) + " out of range (size " + std::to_string(a.size()) +
         ")");
  return Node(a[index], path_ + "[" + std::to_string(index) + "]");
}

std::size_t Node::size() const {
  if (value_->kind() == Kind::kArray) return value_->as_array().size();
  if (value_->kind() == Kind::kMap) return value_->as_map().size();
  fail_kind("array or map");
}

bool Node::as_bool() const {
  if (value_->kind() != Kind::kBool) fail_kind("bool");
  return value_->as_bool();
}

std::int64_t Node::as_int(std::int64_t lo, std::int64_t hi) const {
  std::int64_t v = 0;
  if (value_->kind() == Kind::kInt) {
    v = value_->as_int();
  } else if (value_->kind() == Kind::kUInt) {
    fail("integer " + std::to_string(value_->as_uint()) + " is out of range");
  } else {
    fail_kind("integer");
  }
  if (v < lo || v > hi)
    fail("integer " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
         std::to_string(hi) + "]");
  return v;
}

double Node::as_double(bool finite) const {
  double v = 0;
  switch (value_->kind()) {
    case Kind::kDouble: v = value_->as_double(); break;
    case Kind::kInt: v = static_cast<double>(value_->as_int()); break;
    case Kind::kUInt: v = static_cast<double>(value_->as_uint()); break;
    default: fail_kind("number");
  }
  if (finite && !std::isfinite(v)) fail("expected a finite number");
  return v;
}

const std::string& Node::as_string() const {
  if (value_->kind() != Kind::kString) fail_kind("string");
  return value_->as_string();
}

const Map& Node::as_map() const {
  if (value_->kind() != Kind::kMap) fail_kind("map");
  return value_->as_map();
}

const Array& Node::as_array() const {
  if (value_->kind() != Kind::kArray) fail_kind("array");
  return value_->as_array();
}

const Tensor& Node::as_tensor(DType dtype, std::size_t rank, bool finite) const {
  if (value_->kind() != Kind::kTensor) fail_kind("tensor");
  const Tensor& t = value_->as_tensor();
  if (t.dtype() != dtype)
    fail("expected dtype " + std::string(dtype_name(dtype)) + ", found " +
         std::string(dtype_name(t.dtype())));
  if (t.rank() != rank)
    fail("expected a rank-" + std::to_string(rank) + " tensor, found rank " +
         std::to_string(t.rank()));
  if (finite && dtype == DType::kFloat64) {
    for (double x : t.values<double>())
      if (!std::isfinite(x)) fail("tensor contains NaN or infinity");
  }
  return t;
}

const Tensor& Node::as_shaped_tensor(DType dtype, const Tensor::Shape& shape, bool finite) const {
  const Tensor& t = as_tensor(dtype, shape.size(), finite);
  if (t.shape() == shape) return t;
  fail("expected shape " + shape_text(shape) +
       " to agree with the rest of the fitted state, found " + shape_text(t.shape()));
}

}  // namespace mlpersist
