//===- ErrorsTest.cpp - Every op family reports misuse at the caller's line
//===//
//
// Each statement is on the line the EXPECT_DLC_ERROR names: the message must
// name the op, say what is wrong with the shapes or types, and end with this
// file and line.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace dlc;
using namespace dlc::indexing;

namespace {

TEST(Errors, Creation) {
  EXPECT_DLC_ERROR(tensor({{1, 2}, {3}}),
                   "tensor: nested lists of different lengths");
  EXPECT_DLC_ERROR(zeros({2, -1}),
                   "zeros: trying to create tensor with negative dimension -1");
  EXPECT_DLC_ERROR(arange(0, 5, 0), "arange: step must be nonzero");
  EXPECT_DLC_ERROR(arange(5, 0, 1),
                   "arange: upper bound and larger bound inconsistent");
  EXPECT_DLC_ERROR(rand({2}, kLong),
                   "rand: rand needs a floating-point dtype, got Long");
  EXPECT_DLC_ERROR(randint(3, 3, {2}),
                   "randint: random_ expects 'from' to be less than 'to'");
  if (!cuda::is_available()) { // CudaTest.cpp covers the GPU's side
    EXPECT_DLC_ERROR(zeros({2}, Device(kCUDA)),
                     "zeros: cannot use cuda: CUDA is not available: ");
  }
  EXPECT_DLC_ERROR(
      tensor({1, 2}, TensorOptions().requires_grad(true)),
      "only Tensors of floating point dtype can require gradients");
}

TEST(Errors, Elementwise) {
  Tensor a = ones({2, 3});
  Tensor b = ones({4});
  EXPECT_DLC_ERROR(a + b, "add: shapes [2, 3] and [4] cannot be broadcast "
                          "together: the size of tensor a (3) must match the "
                          "size of tensor b (4) at non-singleton dimension 1");
  EXPECT_DLC_ERROR(maximum(a, b),
                   "maximum: shapes [2, 3] and [4] cannot be broadcast");
  EXPECT_DLC_ERROR(
      -tensor({true}),
      "neg: negation, the `-` operator, on a bool tensor is not supported");
  EXPECT_DLC_ERROR(tensor({true}) - tensor({false}),
                   "sub: subtraction, the `-` operator, with two bool tensors");
  EXPECT_DLC_ERROR(a.clamp(std::nullopt),
                   "clamp: at least one of 'min' or 'max'");
  EXPECT_DLC_ERROR(pow(tensor({2}), -1),
                   "pow: integers to negative integer powers are not allowed");
  EXPECT_DLC_ERROR(gelu(a, "fast"),
                   "gelu: approximate argument must be either none or tanh");
  EXPECT_DLC_ERROR(add(tensor({1}), tensor({1}), 0.5),
                   "add: for integral input tensors, argument alpha must not "
                   "be a floating point number");
  EXPECT_DLC_ERROR(Tensor() * 2, "mul: expected a defined tensor");
}

TEST(Errors, CompareAndSelect) {
  Tensor a = ones({2});
  EXPECT_DLC_ERROR(a < ones({3}), "lt: shapes [2] and [3] cannot be broadcast");
  EXPECT_DLC_ERROR(where(a, a, a), "where: expected condition to be a boolean "
                                   "tensor, but got a tensor with dtype Float");
  EXPECT_DLC_ERROR(a.masked_fill(a, 1),
                   "masked_fill: only boolean masks are supported");
  EXPECT_DLC_ERROR(a.masked_fill(ones({3}) > 0, 1),
                   "masked_fill: mask of shape [3] cannot be broadcast to self "
                   "of shape [2]");
  EXPECT_DLC_ERROR(tensor({1}).masked_fill(tensor({true}), 0.5),
                   "masked_fill: value 0.5 cannot be converted to type Long");
}

TEST(Errors, Reductions) {
  Tensor a = ones({2, 3});
  EXPECT_DLC_ERROR(a.sum(2), "sum: dimension out of range (expected to be in "
                             "range of [-2, 1], but got 2)");
  EXPECT_DLC_ERROR(a.sum({1, -1}),
                   "sum: dim 1 appears multiple times in the list of dims");
  EXPECT_DLC_ERROR(tensor({1, 2}).mean(),
                   "mean: could not infer output dtype: input dtype must be a "
                   "floating point type, got Long");
  EXPECT_DLC_ERROR(
      zeros({0}).max(),
      "max: expected reduction dim to be specified for input.numel() == 0");
  EXPECT_DLC_ERROR(zeros({2, 0}).max(1),
                   "max: expected reduction dim 1 to have non-zero size");
  EXPECT_DLC_ERROR(tensor({1, 2}).softmax(0),
                   "softmax: expected a floating-point tensor, got Long");
  EXPECT_DLC_ERROR(a.log_softmax(-3), "log_softmax: dimension out of range");
  EXPECT_DLC_ERROR(a.argmax(5), "argmax: dimension out of range");
}

TEST(Errors, LinearAlgebra) {
  Tensor a = ones({3, 2});
  EXPECT_DLC_ERROR(matmul(a, a), "matmul: cannot multiply [3, 2] by [3, 2]");
  EXPECT_DLC_ERROR(a.matmul(tensor({1, 2})),
                   "matmul: expected both operands to have the same dtype, but "
                   "got Float != Long");
  EXPECT_DLC_ERROR(matmul(ones({2, 3, 4}), ones({5, 4, 2})),
                   "matmul: cannot multiply [2, 3, 4] by [5, 4, 2]: batch "
                   "dimensions [2] and [5] do not broadcast");
  EXPECT_DLC_ERROR(matmul(tensor(1.0), a),
                   "matmul: both arguments to matmul need to be at least 1D");
  EXPECT_DLC_ERROR(mm(ones({2}), a),
                   "mm: both arguments must be matrices, got [2] and [3, 2]");
  EXPECT_DLC_ERROR(
      bmm(ones({2, 3, 4}), ones({3, 4, 5})),
      "bmm: batch1 and batch2 must have same number of batches, got 2 and 3");
}

TEST(Errors, Shapes) {
  Tensor a = ones({2, 3});
  EXPECT_DLC_ERROR(a.reshape({4, 2}),
                   "reshape: shape '[4, 2]' is invalid for input of size 6");
  EXPECT_DLC_ERROR(a.view({-1, -1}),
                   "view: only one dimension can be inferred");
  EXPECT_DLC_ERROR(a.permute({0, 0}),
                   "permute: duplicate dims are not allowed");
  EXPECT_DLC_ERROR(a.permute({0}),
                   "permute: number of dims don't match in permute");
  EXPECT_DLC_ERROR(a.expand({2, 4}),
                   "expand: the expanded size of the tensor (4) must match the "
                   "existing size (3) at non-singleton dimension 1");
  EXPECT_DLC_ERROR(
      ones({2, 3, 4}).t(),
      "t: t() expects a tensor with <= 2 dimensions, but self is 3D");
  EXPECT_DLC_ERROR(a.flatten(1, 0),
                   "flatten: start_dim cannot come after end_dim");
  EXPECT_DLC_ERROR(a.unsqueeze(4), "unsqueeze: dimension out of range");
  EXPECT_DLC_ERROR(cat({a, ones({2, 2})}),
                   "cat: sizes of tensors must match except in dimension 0: "
                   "expected size 3 but got size 2 for tensor number 1");
  EXPECT_DLC_ERROR(cat({}), "cat: expected a non-empty list of Tensors");
  EXPECT_DLC_ERROR(stack({a, ones({3, 2})}),
                   "stack: stack expects each tensor to be equal size, but got "
                   "[2, 3] at entry 0 and [3, 2] at entry 1");
  EXPECT_DLC_ERROR(a.split({1, 1}, 1),
                   "split_with_sizes: split_with_sizes expects split_sizes to "
                   "sum exactly to 3");
  EXPECT_DLC_ERROR(
      a.chunk(0), "chunk: chunk expects `chunks` to be greater than 0, got: 0");
  EXPECT_DLC_ERROR(a.narrow(1, 2, 2),
                   "narrow: start (2) + length (2) exceeds dimension size (3)");
  EXPECT_DLC_ERROR(a.slice(1, 0, 2, 0),
                   "slice: slice step must be positive, got 0");
  EXPECT_DLC_ERROR(
      a.select(0, 2),
      "select: index 2 out of range for tensor of size [2, 3] at dimension 0");
}

TEST(Errors, Indexing) {
  Tensor a = ones({2, 3});
  EXPECT_DLC_ERROR(a.index({0, 0, 0}),
                   "index: too many indices for tensor of dimension 2");
  EXPECT_DLC_ERROR(
      a.index({a > 0}),
      "index: boolean mask indexing gives a shape that depends on the data");
  EXPECT_DLC_ERROR(a.index({Ellipsis, Ellipsis}),
                   "index: an index can only have a single ellipsis");
  EXPECT_DLC_ERROR(
      a.index_select(0, tensor({{0}})),
      "index_select: index is supposed to be a vector, got shape [1, 1]");
  EXPECT_DLC_ERROR(
      a.index_select(1, tensor({0, 3})),
      "index_select: index 3 is out of bounds for dimension 1 with size 3");
  EXPECT_DLC_ERROR(
      a.index_select(0, tensor({0.0})),
      "index_select: expected index to have dtype Long or Int, but got Float");
  EXPECT_DLC_ERROR(a.gather(0, tensor({0})),
                   "gather: index tensor must have the same number of "
                   "dimensions as input tensor");
  EXPECT_DLC_ERROR(
      a.gather(1, tensor({{-1}})),
      "gather: index -1 is out of bounds for dimension 1 with size 3");
  EXPECT_DLC_ERROR(embedding(ones({4}), tensor({0})),
                   "embedding: 'weight' must be 2-D, got shape [4]");
  EXPECT_DLC_ERROR(
      embedding(a, tensor({2})),
      "embedding: index 2 is out of bounds for dimension 0 with size 2");
}

TEST(Errors, InPlace) {
  Tensor a = ones({2, 3});
  {
    Tensor view = a.view({6});
    EXPECT_DLC_ERROR(a.add_(1), "add_: cannot update a tensor of shape [2, 3] "
                                "in place while 1 view of it is alive");
    EXPECT_DLC_ERROR(
        view.mul_(2),
        "mul_: cannot update a view in place: its base tensor of shape [2, 3]");
    Tensor viewOfView = view.view({3, 2});
    EXPECT_DLC_ERROR(a.zero_(), "zero_: cannot update a tensor of shape [2, 3] "
                                "in place while 2 views of it are alive");
  }
  a.add_(1); // the views are gone
  Tensor w = ones({2}, TensorOptions().requires_grad(true));
  EXPECT_DLC_ERROR(w.sub_(1), "sub_: a leaf Variable that requires grad is "
                              "being used in an in-place operation");
  {
    NoGradGuard noGrad;
    w.sub_(1); // what an optimizer does
  }
  Tensor i = tensor({1, 2});
  EXPECT_DLC_ERROR(
      i.div_(2),
      "div_: result type Float can't be cast to the desired output type Long");
  EXPECT_DLC_ERROR(
      i.add_(0.5),
      "add_: result type Float can't be cast to the desired output type Long");
  EXPECT_DLC_ERROR(
      ones({3}).add_(ones({2, 3})),
      "add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  EXPECT_DLC_ERROR(ones({3}).copy_(ones({2})),
                   "copy_: shapes [3] and [2] cannot be broadcast");
}

TEST(Errors, DataOut) {
  Tensor a = ones({2});
  EXPECT_DLC_ERROR(
      a.item<float>(),
      "item: a Tensor with 2 elements cannot be converted to Scalar");
  EXPECT_DLC_ERROR(a.data_ptr<int64_t>(),
                   "data_ptr: expected scalar type Long but found Float");
  if (!cuda::is_available()) {
    EXPECT_DLC_ERROR(a.to(kCUDA),
                     "to: cannot use cuda: CUDA is not available: ");
    EXPECT_DLC_ERROR(a.cuda(), "to: cannot use cuda: CUDA is not available");
  }
  EXPECT_DLC_ERROR(a.size(1), "size: dimension out of range");
  EXPECT_DLC_ERROR(
      tensor(1.0).size(0),
      "size: dimension specified as 0 but tensor has no dimensions");
  EXPECT_DLC_ERROR(Tensor().sizes(), "sizes: expected a defined tensor");
  EXPECT_DLC_ERROR(tensor({1}).requires_grad_(),
                   "requires_grad_: only Tensors of floating point dtype can "
                   "require gradients, got Long");
}

TEST(Errors, MoreShapesAndIndices) {
  Tensor a = ones({2, 3});
  Tensor s = tensor(1.0);
  EXPECT_DLC_ERROR(
      zeros({0}).reshape({-1, 0}),
      "reshape: cannot reshape tensor of 0 elements into shape [-1, 0] because "
      "the unspecified dimension size -1 can be any value");
  EXPECT_DLC_ERROR(a.reshape({-2, 3}), "reshape: invalid shape dimension -2");
  EXPECT_DLC_ERROR(a.expand({3}),
                   "expand: the number of sizes provided (1) must be greater "
                   "or equal to the number of dimensions in the tensor (2)");
  EXPECT_DLC_ERROR(a.expand({-1, 2, 3}),
                   "expand: the expanded size of the tensor (-1) isn't allowed "
                   "in a leading, non-existing dimension 0");
  EXPECT_DLC_ERROR(
      cat({a, ones({3})}),
      "cat: tensors must have same number of dimensions: got 2 and 1");
  EXPECT_DLC_ERROR(
      cat({s, s}),
      "cat: zero-dimensional tensor (at position 0) cannot be concatenated");
  EXPECT_DLC_ERROR(stack({}), "stack: expected a non-empty list of Tensors");
  EXPECT_DLC_ERROR(s.split(1),
                   "split: split expects at least a 1-dimensional tensor");
  EXPECT_DLC_ERROR(
      a.split(-1),
      "split: split expects split_size be non-negative, but got split_size=-1");
  EXPECT_DLC_ERROR(a.split(0), "split: split_size can only be 0 if dimension "
                               "size is 0, but got dimension size of 2");
  EXPECT_DLC_ERROR(
      a.split({-1, 4}, 1),
      "split_with_sizes: split_sizes must be non-negative, got [-1, 4]");
  EXPECT_DLC_ERROR(s.chunk(2),
                   "chunk: chunk expects at least a 1-dimensional tensor");
  EXPECT_DLC_ERROR(s.narrow(0, 0, 1),
                   "narrow: narrow() cannot be applied to a 0-dim tensor");
  EXPECT_DLC_ERROR(a.narrow(0, 5, 1), "narrow: start out of range (expected to "
                                      "be in range of [-2, 2], but got 5)");
  EXPECT_DLC_ERROR(a.narrow(0, 0, -1),
                   "narrow: narrow(): length must be non-negative");
  EXPECT_DLC_ERROR(s.slice(0),
                   "slice: slice() cannot be applied to a 0-dim tensor");
  EXPECT_DLC_ERROR(s.select(0, 0),
                   "select: select() cannot be applied to a 0-dim tensor");
  EXPECT_DLC_ERROR(
      a.index({tensor({0}), tensor({0})}),
      "index: indexing with more than one tensor is not supported");
  EXPECT_DLC_ERROR(
      a.gather(0, tensor(std::vector<int32_t>{0, 0}).reshape({1, 2})),
      "gather: expected dtype int64 for index, got Int");
  EXPECT_DLC_ERROR(
      a.gather(0, zeros({1, 4}, kLong)),
      "gather: size does not match at dimension 1: expected index [1, 4] to be "
      "smaller than self [2, 3] apart from dimension 0");
  EXPECT_DLC_ERROR(a.masked_fill(a > 0, ones({2})),
                   "masked_fill: only supports a 0-dimensional value tensor, "
                   "but got a tensor with 1 dimension(s)");
}

TEST(Errors, MoreTypes) {
  Tensor a = ones({2, 3});
  EXPECT_DLC_ERROR(abs(tensor({true})),
                   "abs: abs is not supported for bool tensors");
  EXPECT_DLC_ERROR(relu(tensor({true})),
                   "relu: relu is not supported for bool tensors");
  EXPECT_DLC_ERROR(gelu(tensor({1})),
                   "gelu: expected a floating-point tensor, got Long");
  EXPECT_DLC_ERROR(
      pow(tensor({2}), tensor({2})),
      "pow: integer tensors raised to integer tensor powers are not supported");
  EXPECT_DLC_ERROR(
      pow(2, tensor({2})),
      "pow: integer bases raised to integer tensor powers are not supported");
  EXPECT_DLC_ERROR(add(tensor({true}), tensor({true}), 2),
                   "add: for a boolean tensor, alpha must be a boolean");
  EXPECT_DLC_ERROR(matmul(tensor({{true}}), tensor({{true}})),
                   "matmul: matrix products of bool tensors are not supported");
  EXPECT_DLC_ERROR(
      bmm(ones({2, 2}), ones({2, 2})),
      "bmm: both arguments must be 3D tensors, got [2, 2] and [2, 2]");
  EXPECT_DLC_ERROR(randn({2}, kInt),
                   "randn: randn needs a floating-point dtype, got Int");
  EXPECT_DLC_ERROR(eye(-1),
                   "eye: n and m must be non-negative, got n=-1, m=-1");
  EXPECT_DLC_ERROR(from_blob(nullptr, {2}),
                   "from_blob: data is a null pointer for 2 elements");
  EXPECT_DLC_ERROR(a.to(TensorOptions().requires_grad(true)),
                   "to: to() cannot change requires_grad");
  Tensor w = ones({2}, TensorOptions().requires_grad(true));
  Tensor y = w * 2;
  EXPECT_DLC_ERROR(y.requires_grad_(false),
                   "requires_grad_: you can only change requires_grad flags of "
                   "leaf variables");
}

TEST(Errors, Autograd) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor y = x * 2;
  Tensor data = ones({3});
  EXPECT_DLC_ERROR(y.backward(),
                   "backward: grad can be implicitly created only for scalar "
                   "outputs; output 0 has shape [3]");
  EXPECT_DLC_ERROR(data.sum().backward(),
                   "backward: element 0 of tensors does not require grad and "
                   "does not have a grad_fn");
  EXPECT_DLC_ERROR(y.backward(ones({2})),
                   "backward: Mismatch in shape: grad_output[0] has a shape of "
                   "[2] and output[0] has a shape of [3]");
  EXPECT_DLC_ERROR(
      autograd::grad({y.sum()}, {data}),
      "grad: One of the differentiated Tensors does not require grad");
  Tensor unused = ones({1}, TensorOptions().requires_grad(true));
  EXPECT_DLC_ERROR(autograd::grad({y.sum()}, {x, unused}),
                   "grad: One of the differentiated Tensors appears to not "
                   "have been used in the graph");
  EXPECT_DLC_ERROR(autograd::grad({}, {x}),
                   "grad: grad requires at least one output");
  EXPECT_DLC_ERROR(autograd::grad({y.sum()}, {x}, {ones({}), ones({})}),
                   "grad: got 2 grad_outputs for 1 outputs");
}

TEST(Errors, DevicesAndIndicesParse) {
  EXPECT_EQ(Device("cuda:1").index(), 1);
  EXPECT_EQ(Device("cpu").str(), "cpu");
  EXPECT_NE(dlc::test::errorOf([] {
              Device("tpu");
            }).find("expected a device string"),
            std::string::npos);
  EXPECT_NE(
      dlc::test::errorOf([] { Device("cuda:x"); }).find("invalid device index"),
      std::string::npos);
  EXPECT_NE(dlc::test::errorOf([] {
              indexing::TensorIndex("..x");
            }).find("must be \"...\""),
            std::string::npos);
}

} // namespace
