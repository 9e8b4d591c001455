// RUN: dlc-opt %s --dlc-decompose --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dlc-decompose --split-input-file --mlir-print-debuginfo \
// RUN:   | FileCheck %s --check-prefix=LOC

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[MAX:.*]] = dlc.reduce_max %[[X]] dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK: %[[MAXB:.*]] = dlc.broadcast_in_dim %[[MAX]] dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
// CHECK: %[[SHIFTED:.*]] = dlc.sub %[[X]], %[[MAXB]] : tensor<2x3xf32>
// CHECK: %[[EXP:.*]] = dlc.exp %[[SHIFTED]] : tensor<2x3xf32>
// CHECK: %[[SUM:.*]] = dlc.reduce_sum %[[EXP]] dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK: %[[SUMB:.*]] = dlc.broadcast_in_dim %[[SUM]] dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
// CHECK: %[[P:.*]] = dlc.div %[[EXP]], %[[SUMB]] : tensor<2x3xf32>
// CHECK: return %[[P]]
// CHECK-NOT: dlc.softmax
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dlc.softmax %x dim = 1 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x5xf64>)
// CHECK: %[[MAX:.*]] = dlc.reduce_max %[[X]] dims = [0] keepdim : tensor<4x5xf64> -> tensor<1x5xf64>
// CHECK: %[[MAXB:.*]] = dlc.broadcast_in_dim %[[MAX]] dims = [0, 1] : tensor<1x5xf64> to tensor<4x5xf64>
// CHECK: %[[SHIFTED:.*]] = dlc.sub %[[X]], %[[MAXB]]
// CHECK: %[[EXP:.*]] = dlc.exp %[[SHIFTED]]
// CHECK: %[[SUM:.*]] = dlc.reduce_sum %[[EXP]] dims = [0] keepdim : tensor<4x5xf64> -> tensor<1x5xf64>
// CHECK: %[[SUMB:.*]] = dlc.broadcast_in_dim %[[SUM]] dims = [0, 1]
// CHECK: %[[LOG:.*]] = dlc.log %[[SUMB]] : tensor<4x5xf64>
// CHECK: %[[R:.*]] = dlc.sub %[[SHIFTED]], %[[LOG]] : tensor<4x5xf64>
// CHECK: return %[[R]]
func.func @log_softmax(%x: tensor<4x5xf64>) -> tensor<4x5xf64> {
  %0 = dlc.log_softmax %x dim = 0 : tensor<4x5xf64>
  return %0 : tensor<4x5xf64>
}

// -----

// Dynamic sizes carry through.
// CHECK-LABEL: func.func @softmax_dynamic
// CHECK: dlc.reduce_max %{{.*}} dims = [1] keepdim : tensor<?x10xf32> -> tensor<?x1xf32>
// CHECK: dlc.broadcast_in_dim %{{.*}} dims = [0, 1] : tensor<?x1xf32> to tensor<?x10xf32>
// CHECK: dlc.div %{{.*}}, %{{.*}} : tensor<?x10xf32>
func.func @softmax_dynamic(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = dlc.softmax %x dim = 1 : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Primitives and ops of other dialects are left alone, and the source
// location of the composite carries over to every op that replaces it.
// CHECK-LABEL: func.func @keeps_the_rest
// CHECK: arith.constant
// CHECK: dlc.exp
// CHECK: dlc.reduce_max
// LOC-LABEL: func.func @keeps_the_rest
// LOC: dlc.reduce_max {{.*}} loc(#[[LOC:loc[0-9]+]])
// LOC: dlc.div {{.*}} loc(#[[LOC]])
// LOC: #[[LOC]] = loc("model.cpp":41:7)
func.func @keeps_the_rest(%x: tensor<3xf32>) -> (index, tensor<3xf32>) {
  %c = arith.constant 0 : index
  %0 = dlc.exp %x : tensor<3xf32> loc("model.cpp":41:7)
  %1 = dlc.softmax %0 dim = 0 : tensor<3xf32> loc("model.cpp":41:7)
  return %c, %1 : index, tensor<3xf32>
}
