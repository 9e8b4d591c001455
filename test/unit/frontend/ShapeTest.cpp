//===- ShapeTest.cpp - Reshaping, joining, splitting, slicing, indexing ---===//

#include "TestUtil.h"

using namespace dlc;
using namespace dlc::indexing;
using dlc::test::expectTensor;

namespace {

Tensor m23() { return tensor({{1, 2, 3}, {4, 5, 6}}); }

TEST(Shape, Reshaping) {
  Tensor m = m23();
  expectTensor(m.reshape({3, 2}), {3, 2}, kLong, {1, 2, 3, 4, 5, 6});
  expectTensor(m.view({-1}), {6}, kLong, {1, 2, 3, 4, 5, 6});
  expectTensor(m.reshape({-1, 3, 1}), {2, 3, 1}, kLong, {1, 2, 3, 4, 5, 6});
  expectTensor(m.flatten(), {6}, kLong, {1, 2, 3, 4, 5, 6});
  expectTensor(ones({2, 3, 4}).flatten(1), {2, 12}, kFloat,
               std::vector<double>(24, 1));
  expectTensor(tensor(5).flatten(), {1}, kLong, {5});
  expectTensor(m.transpose(0, 1), {3, 2}, kLong, {1, 4, 2, 5, 3, 6});
  expectTensor(m.t(), {3, 2}, kLong, {1, 4, 2, 5, 3, 6});
  expectTensor(tensor({1, 2}).t(), {2}, kLong, {1, 2});
  expectTensor(arange(24).reshape({2, 3, 4}).permute({2, 0, 1}).select(0, 1),
               {2, 3}, kLong, {1, 5, 9, 13, 17, 21});
  expectTensor(m.unsqueeze(0), {1, 2, 3}, kLong, {1, 2, 3, 4, 5, 6});
  expectTensor(m.unsqueeze(-1), {2, 3, 1}, kLong, {1, 2, 3, 4, 5, 6});
  expectTensor(ones({1, 2, 1}).squeeze(), {2}, kFloat, {1, 1});
  expectTensor(ones({1, 2, 1}).squeeze(0), {2, 1}, kFloat, {1, 1});
  expectTensor(ones({1, 2, 1}).squeeze(1), {1, 2, 1}, kFloat, {1, 1});
  expectTensor(tensor({1, 2, 3}).expand({2, 3}), {2, 3}, kLong,
               {1, 2, 3, 1, 2, 3});
  expectTensor(tensor({{1}, {2}}).expand({-1, 2}), {2, 2}, kLong, {1, 1, 2, 2});
  expectTensor(tensor({1, 2}).expand_as(zeros({3, 2})), {3, 2}, kLong,
               {1, 2, 1, 2, 1, 2});
  expectTensor(zeros({0, 2}).reshape({2, 0}), {2, 0}, kFloat, {});
}

TEST(Shape, CatAndStack) {
  Tensor a = tensor({{1, 2}});
  Tensor b = tensor({{3.5, 4.5}, {5.5, 6.5}});
  expectTensor(cat({a, b}), {3, 2}, kFloat, {1, 2, 3.5, 4.5, 5.5, 6.5});
  expectTensor(cat({a, a}, 1), {1, 4}, kLong, {1, 2, 1, 2});
  expectTensor(cat({a, tensor(std::vector<int64_t>{}), a}, -2), {2, 2}, kLong,
               {1, 2, 1, 2});
  expectTensor(stack({tensor({1, 2}), tensor({3, 4})}), {2, 2}, kLong,
               {1, 2, 3, 4});
  expectTensor(stack({tensor({1, 2}), tensor({3, 4})}, 1), {2, 2}, kLong,
               {1, 3, 2, 4});
  expectTensor(stack({tensor(1), tensor(2)}), {2}, kLong, {1, 2});
}

TEST(Shape, SplitChunkNarrowSlice) {
  Tensor x = arange(7);
  std::vector<Tensor> parts = x.split(3);
  ASSERT_EQ(parts.size(), 3u);
  expectTensor(parts[0], {3}, kLong, {0, 1, 2});
  expectTensor(parts[2], {1}, kLong, {6});
  std::vector<Tensor> sized = x.split({2, 5});
  expectTensor(sized[1], {5}, kLong, {2, 3, 4, 5, 6});
  std::vector<Tensor> chunks = chunk(x, 3);
  ASSERT_EQ(chunks.size(), 3u);
  expectTensor(chunks[1], {3}, kLong, {3, 4, 5});
  expectTensor(chunks[2], {1}, kLong, {6});
  EXPECT_EQ(chunk(zeros({0}), 2).size(), 2u);
  expectTensor(x.narrow(0, 2, 3), {3}, kLong, {2, 3, 4});
  expectTensor(x.narrow(0, -2, 2), {2}, kLong, {5, 6});
  expectTensor(x.slice(0, 1, 6, 2), {3}, kLong, {1, 3, 5});
  expectTensor(x.slice(0, -3), {3}, kLong, {4, 5, 6});
  expectTensor(x.slice(0, 5, 100), {2}, kLong, {5, 6});
  expectTensor(x.slice(0, 5, 2), {0}, kLong, {});
  expectTensor(m23().select(1, -1), {2}, kLong, {3, 6});
  expectTensor(m23()[1], {3}, kLong, {4, 5, 6});
  expectTensor(slice(x, 0, 2, 4), {2}, kLong, {2, 3});
  expectTensor(select(m23(), 0, 0), {3}, kLong, {1, 2, 3});
  expectTensor(clone(x).sum(), {}, kLong, {21});
}

TEST(Shape, Index) {
  Tensor x = arange(24).reshape({2, 3, 4});
  expectTensor(x.index({0}), {3, 4}, kLong,
               {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  expectTensor(x.index({1, 2, 3}), {}, kLong, {23});
  expectTensor(x.index({Slice(), 1, Slice(1, None, 2)}), {2, 2}, kLong,
               {5, 7, 17, 19});
  expectTensor(x.index({Ellipsis, 0}), {2, 3}, kLong, {0, 4, 8, 12, 16, 20});
  expectTensor(x.index({"...", -1}), {2, 3}, kLong, {3, 7, 11, 15, 19, 23});
  expectTensor(x.index({None, 0, Slice(0, 1)}), {1, 1, 4}, kLong, {0, 1, 2, 3});
  expectTensor(x.index({Slice(-1), Ellipsis, Slice(2)}), {1, 3, 2}, kLong,
               {14, 15, 18, 19, 22, 23});
  expectTensor(x.index({0, tensor({2, 0})}), {2, 4}, kLong,
               {8, 9, 10, 11, 0, 1, 2, 3});
  expectTensor(x.index({Slice(), Slice(), tensor({3})}), {2, 3, 1}, kLong,
               {3, 7, 11, 15, 19, 23});
}

TEST(Shape, GatherFamily) {
  Tensor w = tensor({{0.0, 0.1}, {1.0, 1.1}, {2.0, 2.1}});
  expectTensor(index_select(w, 0, tensor({2, 0, 2})), {3, 2}, kFloat,
               {2.0, 2.1, 0.0, 0.1, 2.0, 2.1});
  expectTensor(w.index_select(1, tensor(std::vector<int32_t>{1})), {3, 1},
               kFloat, {0.1, 1.1, 2.1});
  expectTensor(embedding(w, tensor({{1, 1}, {0, 2}})), {2, 2, 2}, kFloat,
               {1.0, 1.1, 1.0, 1.1, 0.0, 0.1, 2.0, 2.1});
  Tensor t = tensor({{1, 2}, {3, 4}});
  expectTensor(t.gather(1, tensor({{0, 0}, {1, 0}})), {2, 2}, kLong,
               {1, 1, 4, 3});
  expectTensor(t.gather(0, tensor({{1, 0}})), {1, 2}, kLong, {3, 2});
  expectTensor(gather(arange(5), 0, tensor({4, 4, 0})), {3}, kLong, {4, 4, 0});
}

TEST(Shape, LinearAlgebra) {
  Tensor a = tensor({{1.0, 2.0}, {3.0, 4.0}});
  Tensor v = tensor({1.0, -1.0});
  expectTensor(matmul(a, a), {2, 2}, kFloat, {7, 10, 15, 22});
  expectTensor(a.mm(a.t()), {2, 2}, kFloat, {5, 11, 11, 25});
  expectTensor(matmul(a, v), {2}, kFloat, {-1, -1});
  expectTensor(matmul(v, a), {2}, kFloat, {-2, -2});
  expectTensor(matmul(v, v), {}, kFloat, {2});
  Tensor batch = stack({a, a.t()}); // [2, 2, 2]
  expectTensor(batch.bmm(batch), {2, 2, 2}, kFloat,
               {7, 10, 15, 22, 7, 15, 10, 22});
  expectTensor(matmul(batch, a), {2, 2, 2}, kFloat,
               {7, 10, 15, 22, 10, 14, 14, 20});
  expectTensor(matmul(batch, v), {2, 2}, kFloat, {-1, -1, -2, -2});
  expectTensor(matmul(ones({3, 1, 2, 4}), ones({5, 4, 1})), {3, 5, 2, 1},
               kFloat, std::vector<double>(30, 4));
  expectTensor(matmul(tensor({{1, 2}}), tensor({{3}, {4}})), {1, 1}, kLong,
               {11});
  expectTensor(matmul(zeros({2, 0}), zeros({0, 3})), {2, 3}, kFloat,
               std::vector<double>(6, 0));
}

} // namespace
