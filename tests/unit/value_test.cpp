#include <gtest/gtest.h>

#include <functional>
#include <mlpersist/eigen.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <set>
#include <string_view>
#include <type_traits>

#include "colliding_keys.hpp"

namespace {

using namespace mlpersist;

TEST(Value, MapKeepsInsertionOrderAndRefusesDuplicateKeys) {
  Map m;
  m.insert("zeta", 1).insert("alpha", 2).insert("mid", 3);
  std::vector<std::string> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"zeta", "alpha", "mid"}));
  EXPECT_THROW(m.insert("alpha", 9), SchemaError);
  EXPECT_EQ(m.find("alpha")->as_int(), 2);
}

TEST(Value, LargeMapLookupStaysCorrectAfterErase) {
  Map m;
  for (int i = 0; i < 1000; ++i) m.insert("k" + std::to_string(i), i);
  EXPECT_THROW(m.insert("k999", 0), SchemaError);
  EXPECT_TRUE(m.erase("k10"));
  EXPECT_EQ(m.find("k10"), nullptr);
  EXPECT_EQ(m.find("k11")->as_int(), 11);
  EXPECT_EQ(m.find("k999")->as_int(), 999);
  EXPECT_EQ(m.size(), 999u);
}

TEST(Value, MutableIterationChangesValuesButNeverKeys) {
  Map m;
  for (int i = 0; i < 100; ++i) m.insert("k" + std::to_string(i), i);  // large enough to index
  for (auto&& [key, value] : m) {
    static_assert(std::is_const_v<std::remove_reference_t<decltype(key)>>,
                  "a key changed in place would leave the map's index stale");
    value = static_cast<std::int64_t>(key.size());
  }
  EXPECT_EQ(m.find("k7")->as_int(), 2);
  EXPECT_EQ(m.find("k42")->as_int(), 3);
}

TEST(Value, UnsignedThatFitsInt64IsStoredAsInt) {
  EXPECT_EQ(Value(std::uint64_t{7}).kind(), Kind::kInt);
  EXPECT_EQ(Value(std::uint64_t{1} << 63).kind(), Kind::kUInt);
  EXPECT_EQ(Value(std::uint64_t{7}), Value(std::int64_t{7}));
}

TEST(Value, WrongKindAccessNamesBothKinds) {
  try {
    (void)Value("text").as_double();
    FAIL();
  } catch (const SchemaError& e) {
    EXPECT_STREQ(e.what(), "expected double, found string");
  }
}

TEST(Node, ErrorsNameTheDocumentPath) {
  Map inner;
  inner.insert("support_vectors_", Array{1, 2});
  Map outer;
  outer.insert("steps", Array{Value(Map{}), Value(std::move(inner))});
  const Value doc(std::move(outer));
  const Node root(doc, "");
  try {
    (void)root["steps"][1]["support_vectors_"].as_tensor(DType::kFloat64, 2);
    FAIL();
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("'steps[1].support_vectors_'"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)root["steps"][2], SchemaError);
  EXPECT_THROW((void)root["missing"], SchemaError);
}

TEST(Node, IntegersAreRangeCheckedAndFloatsAreNotIntegers) {
  const Value big(std::int64_t{1} << 40), f(1.0), u(std::uint64_t{1} << 63);
  EXPECT_THROW((void)Node(big, "n").as_int(0, INT32_MAX), SchemaError);
  EXPECT_THROW((void)Node(f, "n").as_int(), SchemaError);
  EXPECT_THROW((void)Node(u, "n").as_int(), SchemaError);
  EXPECT_EQ(Node(big, "n").as_double(), static_cast<double>(std::int64_t{1} << 40));
}

TEST(Node, FiniteTensorCheckRejectsNaN) {
  Tensor t = Tensor::allocate(DType::kFloat64, {2});
  t.mutable_data<double>()[0] = 1.0;
  t.mutable_data<double>()[1] = std::nan("");
  const Value v(t);
  EXPECT_THROW((void)Node(v, "x").as_tensor(DType::kFloat64, 1), SchemaError);
  EXPECT_NO_THROW((void)Node(v, "x").as_tensor(DType::kFloat64, 1, /*finite=*/false));
  EXPECT_THROW((void)Node(v, "x").as_tensor(DType::kInt64, 1, false), SchemaError);
}

TEST(Tensor, ShapeOverflowIsAnErrorNotAnAllocation) {
  EXPECT_THROW((void)Tensor::allocate(DType::kFloat64, {1ull << 40, 1ull << 40}), Error);
  EXPECT_THROW((void)Tensor::allocate(DType::kFloat64, {1ull << 62}), Error);
}

TEST(Tensor, EigenViewsShareTheDataAndCopiesCompareEqual) {
  Eigen::MatrixXd m(2, 3);  // column-major on purpose: from_matrix stores row-major
  m << 1, 2, 3, 4, 5, 6;
  const Tensor t = Tensor::from_matrix(m);
  EXPECT_EQ(t.shape(), (Tensor::Shape{2, 3}));
  EXPECT_EQ(t.values<double>()[1], 2.0);  // row-major order
  EXPECT_EQ(t.matrix<double>().data(), reinterpret_cast<const double*>(t.data()));
  EXPECT_EQ(t.matrix<double>()(1, 2), 6.0);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % 64, 0u);
  const Tensor copy = t;
  EXPECT_EQ(copy, t);
  EXPECT_THROW((void)t.vector<double>(), SchemaError);
}

TEST(Tensor, BorrowedTensorKeepsItsOwnerAliveAndIsReadOnly) {
  auto owner = std::make_shared<std::vector<double>>(std::vector<double>{1.5, 2.5});
  std::weak_ptr<std::vector<double>> watch = owner;
  Tensor t = Tensor::borrow(DType::kFloat64, {2}, reinterpret_cast<const std::byte*>(owner->data()),
                            owner);
  owner.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(t.vector<double>()(1), 2.5);
  EXPECT_THROW((void)t.mutable_data<double>(), UsageError);
  t = Tensor();
  EXPECT_TRUE(watch.expired());
}

}  // namespace

// Hash flooding: keys chosen against a public hash collide; the map's keyed index spreads them.
TEST(Value, MapIndexSpreadsKeysChosenToCollideUnderStdHash) {
  const auto keys = test::std_hash_colliding_keys(20'000);
  const std::size_t std_hash = std::hash<std::string_view>{}(keys.front());
  std::set<std::uint64_t> keyed;
  for (const std::string& key : keys) {
    ASSERT_EQ(std::hash<std::string_view>{}(key), std_hash) << "the attack keys must collide";
    keyed.insert(map_key_hash(key));
  }
  EXPECT_EQ(keyed.size(), keys.size());
  Map m;
  for (std::size_t i = 0; i < keys.size(); ++i) m.insert(keys[i], static_cast<std::int64_t>(i));
  for (std::size_t i = 0; i < keys.size(); i += 997)
    EXPECT_EQ(m.find(keys[i])->as_int(), static_cast<std::int64_t>(i));
  EXPECT_THROW(m.insert(keys[5], 0), SchemaError);
}
