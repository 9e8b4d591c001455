// The training loss of a two-layer classifier and its gradient request, in
// the form the frontend records it: 32 images of 784 pixels, 128 hidden
// units, 10 classes, mean negative log-likelihood of the labels.
//
// `make demo` runs this through dlc-opt and prints the IR after every pass.
func.func @mlp_step(%x: tensor<32x784xf32>, %labels: tensor<32xi64>,
                    %w1: tensor<784x128xf32>, %b1: tensor<128xf32>,
                    %w2: tensor<128x10xf32>, %b2: tensor<10xf32>)
    -> (tensor<f32>, tensor<784x128xf32>, tensor<128xf32>,
        tensor<128x10xf32>, tensor<10xf32>) {
  // hidden = relu(x @ w1 + b1)
  %xw1 = dlc.matmul %x, %w1 : tensor<32x784xf32>, tensor<784x128xf32> -> tensor<32x128xf32> loc("train.cpp":18:15)
  %b1b = dlc.broadcast_in_dim %b1 dims = [1] : tensor<128xf32> to tensor<32x128xf32> loc("train.cpp":18:15)
  %h = dlc.add %xw1, %b1b : tensor<32x128xf32> loc("train.cpp":18:15)
  %a = dlc.relu %h : tensor<32x128xf32> loc("train.cpp":18:10)
  // logits = hidden @ w2 + b2
  %aw2 = dlc.matmul %a, %w2 : tensor<32x128xf32>, tensor<128x10xf32> -> tensor<32x10xf32> loc("train.cpp":19:14)
  %b2b = dlc.broadcast_in_dim %b2 dims = [1] : tensor<10xf32> to tensor<32x10xf32> loc("train.cpp":19:14)
  %logits = dlc.add %aw2, %b2b : tensor<32x10xf32> loc("train.cpp":19:14)
  // loss = nll_loss(log_softmax(logits, 1), labels)
  %logp = dlc.log_softmax %logits dim = 1 : tensor<32x10xf32> loc("train.cpp":20:14)
  %classes = dlc.iota dim = 1 : tensor<32x10xi64> loc("train.cpp":20:14)
  %lb = dlc.broadcast_in_dim %labels dims = [0] : tensor<32xi64> to tensor<32x10xi64> loc("train.cpp":20:14)
  %hit = dlc.compare eq, %classes, %lb : tensor<32x10xi64> loc("train.cpp":20:14)
  %zero = dlc.constant dense<0.0> : tensor<32x10xf32> loc("train.cpp":20:14)
  %picked = dlc.select %hit, %logp, %zero : tensor<32x10xi1>, tensor<32x10xf32> loc("train.cpp":20:14)
  %total = dlc.reduce_sum %picked dims = [0, 1] : tensor<32x10xf32> -> tensor<f32> loc("train.cpp":20:14)
  %minus_mean = dlc.constant dense<-0.03125> : tensor<f32> loc("train.cpp":20:14)
  %loss = dlc.mul %total, %minus_mean : tensor<f32> loc("train.cpp":20:14)
  // loss.backward()
  %g:4 = dlc.grad %loss wrt(%w1, %b1, %w2, %b2) : tensor<f32> wrt(tensor<784x128xf32>, tensor<128xf32>, tensor<128x10xf32>, tensor<10xf32>) loc("train.cpp":21:3)
  return %loss, %g#0, %g#1, %g#2, %g#3 : tensor<f32>, tensor<784x128xf32>, tensor<128xf32>, tensor<128x10xf32>, tensor<10xf32>
}
