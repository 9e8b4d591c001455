// dlc-schedule-collectives: all-reduces are ordered by where their inputs
// become ready, neighbours with one reduction and element type merge into
// buckets of at most bucket-cap-mb MiB, and each bucket moves to just after
// the op computing its last input.
// RUN: dlc-opt %s --dlc-schedule-collectives --split-input-file | FileCheck %s
// Scheduling its own output changes nothing.
// RUN: dlc-opt %s --dlc-schedule-collectives --dlc-schedule-collectives \
// RUN:   --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dlc-schedule-collectives=bucket-cap-mb=0 --split-input-file \
// RUN:   | FileCheck %s --check-prefix=ALONE
// 2^-10 MiB: exactly 1024 bytes.
// RUN: dlc-opt %s --dlc-schedule-collectives=bucket-cap-mb=0.0009765625 \
// RUN:   --split-input-file | FileCheck %s --check-prefix=KIB
// 0.001 MiB: 1048 bytes.
// RUN: dlc-opt %s --dlc-schedule-collectives=bucket-cap-mb=0.001 \
// RUN:   --split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: dlc-opt %s --dlc-schedule-collectives --split-input-file \
// RUN:   --mlir-print-debuginfo --mlir-print-local-scope \
// RUN:   | FileCheck %s --check-prefix=LOC
// RUN: not dlc-opt %s --dlc-schedule-collectives=bucket-cap-mb=-1 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NEG
// The pass in the pipeline every recorded graph goes through.
// RUN: dlc-opt %s --dlc-pipeline --split-input-file \
// RUN:   | FileCheck %s --check-prefix=PIPE

// NEG: error: dlc-schedule-collectives: bucket-cap-mb -1.000000e+00 is negative

// The pass's own example: two independent all-reduces of one reduction and
// element type make one bucket, right after the op computing the last input
// (%gb), before the unrelated dlc.neg. With bucket-cap-mb=0 each stays alone
// and moves up to just after its input.
// CHECK-LABEL: func.func @bucket
// CHECK-SAME: (%[[A:.*]]: tensor<64x16xf32>, %[[B:.*]]: tensor<64x16xf32>, %[[C:.*]]: tensor<16xf32>, %[[D:.*]]: tensor<16xf32>)
// CHECK-NEXT: %[[GW:.*]] = dlc.mul %[[A]], %[[B]]
// CHECK-NEXT: %[[X:.*]] = dlc.exp %[[GW]]
// CHECK-NEXT: %[[GB:.*]] = dlc.add %[[C]], %[[D]]
// CHECK-NEXT: %[[R:.*]]:2 = dlc.all_reduce mean(%[[GW]], %[[GB]]) : tensor<64x16xf32>, tensor<16xf32>
// CHECK-NEXT: %[[Y:.*]] = dlc.neg %[[X]]
// CHECK-NEXT: return %[[Y]], %[[R]]#0, %[[R]]#1
// ALONE-LABEL: func.func @bucket
// ALONE-NEXT: %[[GW:.*]] = dlc.mul
// ALONE-NEXT: %[[RW:.*]] = dlc.all_reduce mean(%[[GW]]) : tensor<64x16xf32>
// ALONE-NEXT: %[[X:.*]] = dlc.exp %[[GW]]
// ALONE-NEXT: %[[GB:.*]] = dlc.add
// ALONE-NEXT: %[[RB:.*]] = dlc.all_reduce mean(%[[GB]]) : tensor<16xf32>
// ALONE-NEXT: %[[Y:.*]] = dlc.neg %[[X]]
// ALONE-NEXT: return %[[Y]], %[[RW]], %[[RB]]
// The bucket's location fuses those of the ops it replaces.
// LOC-LABEL: func.func @bucket
// LOC: dlc.all_reduce mean({{.*}}) : tensor<64x16xf32>, tensor<16xf32> loc(fused["rw", "rb"])
func.func @bucket(%a: tensor<64x16xf32>, %b: tensor<64x16xf32>, %c: tensor<16xf32>, %d: tensor<16xf32>) -> (tensor<64x16xf32>, tensor<64x16xf32>, tensor<16xf32>) {
  %gw = dlc.mul %a, %b : tensor<64x16xf32>
  %x = dlc.exp %gw : tensor<64x16xf32>
  %gb = dlc.add %c, %d : tensor<16xf32>
  %y = dlc.neg %x : tensor<64x16xf32>
  %rw = dlc.all_reduce mean (%gw) : tensor<64x16xf32> loc("rw")
  %rb = dlc.all_reduce mean (%gb) : tensor<16xf32> loc("rb")
  return %y, %rw, %rb : tensor<64x16xf32>, tensor<64x16xf32>, tensor<16xf32>
}

// -----

// Written in the reverse of the order their inputs become ready: the
// bucket lists its inputs in that order (%y's first), and alone each moves
// to just after its input, so the all-reduce of %y comes first.
// CHECK-LABEL: func.func @readiness_order
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[X:.*]] = dlc.exp
// CHECK-NEXT: %[[R:.*]]:2 = dlc.all_reduce sum(%[[Y]], %[[X]]) : tensor<8xf32>, tensor<4xf32>
// CHECK-NEXT: return %[[R]]#1, %[[R]]#0
// ALONE-LABEL: func.func @readiness_order
// ALONE-NEXT: %[[Y:.*]] = dlc.neg
// ALONE-NEXT: %[[RY:.*]] = dlc.all_reduce sum(%[[Y]]) : tensor<8xf32>
// ALONE-NEXT: %[[X:.*]] = dlc.exp
// ALONE-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<4xf32>
// ALONE-NEXT: return %[[RX]], %[[RY]]
func.func @readiness_order(%a: tensor<4xf32>, %b: tensor<8xf32>) -> (tensor<4xf32>, tensor<8xf32>) {
  %y = dlc.neg %b : tensor<8xf32>
  %x = dlc.exp %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<8xf32>
  return %rx, %ry : tensor<4xf32>, tensor<8xf32>
}

// -----

// The cap splits by size: 512 + 512 bytes fill a 1024-byte bucket exactly
// (the cap is inclusive), the 4 more bytes of %z start a new one; 1048
// bytes take all three. The default cap takes all three as well.
// CHECK-LABEL: func.func @cap
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[Z:.*]] = dlc.neg
// CHECK-NEXT: %[[R:.*]]:3 = dlc.all_reduce sum(%[[X]], %[[Y]], %[[Z]]) : tensor<128xf32>, tensor<128xf32>, tensor<1xf32>
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1, %[[R]]#2
// KIB-LABEL: func.func @cap
// KIB-NEXT: %[[X:.*]] = dlc.neg
// KIB-NEXT: %[[Y:.*]] = dlc.neg
// KIB-NEXT: %[[R:.*]]:2 = dlc.all_reduce sum(%[[X]], %[[Y]]) : tensor<128xf32>, tensor<128xf32>
// KIB-NEXT: %[[Z:.*]] = dlc.neg
// KIB-NEXT: %[[RZ:.*]] = dlc.all_reduce sum(%[[Z]]) : tensor<1xf32>
// KIB-NEXT: return %[[R]]#0, %[[R]]#1, %[[RZ]]
// SMALL-LABEL: func.func @cap
// SMALL-NEXT: %[[X:.*]] = dlc.neg
// SMALL-NEXT: %[[Y:.*]] = dlc.neg
// SMALL-NEXT: %[[Z:.*]] = dlc.neg
// SMALL-NEXT: %[[R:.*]]:3 = dlc.all_reduce sum(%[[X]], %[[Y]], %[[Z]]) : tensor<128xf32>, tensor<128xf32>, tensor<1xf32>
// SMALL-NEXT: return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @cap(%a: tensor<128xf32>, %b: tensor<128xf32>, %c: tensor<1xf32>) -> (tensor<128xf32>, tensor<128xf32>, tensor<1xf32>) {
  %x = dlc.neg %a : tensor<128xf32>
  %y = dlc.neg %b : tensor<128xf32>
  %z = dlc.neg %c : tensor<1xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<128xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<128xf32>
  %rz = dlc.all_reduce sum (%z) : tensor<1xf32>
  return %rx, %ry, %rz : tensor<128xf32>, tensor<128xf32>, tensor<1xf32>
}

// -----

// An all-reduce larger than the cap is a bucket of its own, still moved up,
// and nothing joins it. Bytes count the element width: 64 x f64 = 512.
// KIB-LABEL: func.func @over_cap
// KIB-NEXT: %[[X:.*]] = dlc.neg
// KIB-NEXT: %[[RX:.*]] = dlc.all_reduce max(%[[X]]) : tensor<512xf32>
// KIB-NEXT: %[[Y:.*]] = dlc.neg
// KIB-NEXT: %[[RY:.*]] = dlc.all_reduce max(%[[Y]]) : tensor<4xf32>
// KIB-NEXT: %[[U:.*]] = dlc.neg
// KIB-NEXT: %[[V:.*]] = dlc.neg
// KIB-NEXT: %[[R:.*]]:2 = dlc.all_reduce sum(%[[U]], %[[V]]) : tensor<64xf64>, tensor<64xf64>
// KIB-NEXT: %[[W:.*]] = dlc.neg
// KIB-NEXT: %[[RW:.*]] = dlc.all_reduce sum(%[[W]]) : tensor<1xf64>
// KIB-NEXT: return
// CHECK-LABEL: func.func @over_cap
// CHECK: dlc.all_reduce max(%{{.*}}, %{{.*}}) : tensor<512xf32>, tensor<4xf32>
// CHECK: dlc.all_reduce sum(%{{.*}}, %{{.*}}, %{{.*}}) : tensor<64xf64>, tensor<64xf64>, tensor<1xf64>
func.func @over_cap(%a: tensor<512xf32>, %b: tensor<4xf32>, %c: tensor<64xf64>, %d: tensor<64xf64>, %e: tensor<1xf64>) -> (tensor<512xf32>, tensor<4xf32>, tensor<64xf64>, tensor<64xf64>, tensor<1xf64>) {
  %x = dlc.neg %a : tensor<512xf32>
  %y = dlc.neg %b : tensor<4xf32>
  %u = dlc.neg %c : tensor<64xf64>
  %v = dlc.neg %d : tensor<64xf64>
  %w = dlc.neg %e : tensor<1xf64>
  %rx = dlc.all_reduce max (%x) : tensor<512xf32>
  %ry = dlc.all_reduce max (%y) : tensor<4xf32>
  %ru = dlc.all_reduce sum (%u) : tensor<64xf64>
  %rv = dlc.all_reduce sum (%v) : tensor<64xf64>
  %rw = dlc.all_reduce sum (%w) : tensor<1xf64>
  return %rx, %ry, %ru, %rv, %rw : tensor<512xf32>, tensor<4xf32>, tensor<64xf64>, tensor<64xf64>, tensor<1xf64>
}

// -----

// Different reductions are different calls: each moves to just after its
// input.
// CHECK-LABEL: func.func @reductions
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<4xf32>
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[RY:.*]] = dlc.all_reduce mean(%[[Y]]) : tensor<4xf32>
// CHECK-NEXT: return %[[RX]], %[[RY]]
func.func @reductions(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %y = dlc.neg %b : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %ry = dlc.all_reduce mean (%y) : tensor<4xf32>
  return %rx, %ry : tensor<4xf32>, tensor<4xf32>
}

// -----

// So are different element types, integers included.
// CHECK-LABEL: func.func @element_types
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<4xf32>
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[RY:.*]] = dlc.all_reduce sum(%[[Y]]) : tensor<4xf64>
// CHECK-NEXT: %[[I:.*]] = dlc.neg
// CHECK-NEXT: %[[RI:.*]] = dlc.all_reduce sum(%[[I]]) : tensor<4xi32>
// CHECK-NEXT: %[[J:.*]] = dlc.neg
// CHECK-NEXT: %[[RJ:.*]] = dlc.all_reduce sum(%[[J]]) : tensor<4xi64>
// CHECK-NEXT: return %[[RX]], %[[RY]], %[[RI]], %[[RJ]]
func.func @element_types(%a: tensor<4xf32>, %b: tensor<4xf64>, %i: tensor<4xi32>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xf64>, tensor<4xi32>, tensor<4xi64>) {
  %x = dlc.neg %a : tensor<4xf32>
  %y = dlc.neg %b : tensor<4xf64>
  %ni = dlc.neg %i : tensor<4xi32>
  %nj = dlc.neg %j : tensor<4xi64>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<4xf64>
  %ri = dlc.all_reduce sum (%ni) : tensor<4xi32>
  %rj = dlc.all_reduce sum (%nj) : tensor<4xi64>
  return %rx, %ry, %ri, %rj : tensor<4xf32>, tensor<4xf64>, tensor<4xi32>, tensor<4xi64>
}

// -----

// Only neighbours in readiness order merge: a mean between two sums keeps
// them apart.
// CHECK-LABEL: func.func @neighbours
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: dlc.all_reduce sum(%[[X]]) : tensor<4xf32>
// CHECK-NEXT: %[[Y:.*]] = dlc.exp
// CHECK-NEXT: dlc.all_reduce mean(%[[Y]]) : tensor<4xf32>
// CHECK-NEXT: %[[Z:.*]] = dlc.abs
// CHECK-NEXT: dlc.all_reduce sum(%[[Z]]) : tensor<4xf32>
// CHECK-NEXT: return
func.func @neighbours(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %y = dlc.exp %a : tensor<4xf32>
  %z = dlc.abs %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %ry = dlc.all_reduce mean (%y) : tensor<4xf32>
  %rz = dlc.all_reduce sum (%z) : tensor<4xf32>
  return %rx, %ry, %rz : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Two buckets ready at the same op keep their order.
// CHECK-LABEL: func.func @same_input
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[S:.*]] = dlc.all_reduce sum(%[[X]])
// CHECK-NEXT: %[[M:.*]] = dlc.all_reduce mean(%[[X]])
// CHECK-NEXT: %[[N:.*]] = dlc.all_reduce max(%[[X]])
// CHECK-NEXT: %[[E:.*]] = dlc.exp
// CHECK-NEXT: return %[[S]], %[[M]], %[[N]], %[[E]]
// ALONE-LABEL: func.func @same_input
// ALONE-NEXT: %[[X:.*]] = dlc.neg
// ALONE-NEXT: dlc.all_reduce sum(%[[X]])
// ALONE-NEXT: dlc.all_reduce mean(%[[X]])
// ALONE-NEXT: dlc.all_reduce max(%[[X]])
// ALONE-NEXT: dlc.exp
func.func @same_input(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %e = dlc.exp %a : tensor<4xf32>
  %s = dlc.all_reduce sum (%x) : tensor<4xf32>
  %m = dlc.all_reduce mean (%x) : tensor<4xf32>
  %n = dlc.all_reduce max (%x) : tensor<4xf32>
  return %s, %m, %n, %e : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// %rx is read (by dlc.exp) before %y is computed: one bucket after %y would
// come after that read, so the two stay apart.
// CHECK-LABEL: func.func @used_before_ready
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<4xf32>
// CHECK-NEXT: %[[U:.*]] = dlc.exp %[[RX]]
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[RY:.*]] = dlc.all_reduce sum(%[[Y]]) : tensor<4xf32>
// CHECK-NEXT: return %[[U]], %[[RY]]
func.func @used_before_ready(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %u = dlc.exp %rx : tensor<4xf32>
  %y = dlc.neg %b : tensor<4xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<4xf32>
  return %u, %ry : tensor<4xf32>, tensor<4xf32>
}

// -----

// The same read after %y: the bucket may move %rx down past the unrelated
// dlc.exp, to just after %y.
// CHECK-LABEL: func.func @used_after_ready
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[E:.*]] = dlc.exp
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[R:.*]]:2 = dlc.all_reduce sum(%[[X]], %[[Y]])
// CHECK-NEXT: %[[U:.*]] = dlc.mul %[[R]]#0, %[[E]]
// CHECK-NEXT: return %[[U]], %[[R]]#1
func.func @used_after_ready(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %e = dlc.exp %a : tensor<4xf32>
  %y = dlc.neg %b : tensor<4xf32>
  %u = dlc.mul %rx, %e : tensor<4xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<4xf32>
  return %u, %ry : tensor<4xf32>, tensor<4xf32>
}

// -----

// A read inside a nested region counts where the op holding the region is.
// CHECK-LABEL: func.func @used_in_region
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<4xf32>
// CHECK-NEXT: scf.execute_region
// CHECK-NEXT: dlc.exp %[[RX]]
// CHECK: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[RY:.*]] = dlc.all_reduce sum(%[[Y]]) : tensor<4xf32>
// CHECK-NEXT: return
func.func @used_in_region(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %u = scf.execute_region -> tensor<4xf32> {
    %e = dlc.exp %rx : tensor<4xf32>
    scf.yield %e : tensor<4xf32>
  }
  %y = dlc.neg %b : tensor<4xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<4xf32>
  return %u, %ry : tensor<4xf32>, tensor<4xf32>
}

// -----

// An all-reduce of a block argument is ready at the start of the block.
// CHECK-LABEL: func.func @block_argument
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = dlc.all_reduce sum(%[[A]]) : tensor<4xf32>
// CHECK-NEXT: %[[X:.*]] = dlc.neg %[[A]]
// CHECK-NEXT: %[[E:.*]] = dlc.exp %[[X]]
// CHECK-NEXT: %[[S:.*]] = dlc.add %[[E]], %[[R]]
// CHECK-NEXT: return %[[S]]
// ALONE-LABEL: func.func @block_argument
// ALONE-NEXT: dlc.all_reduce sum
// ALONE-NEXT: dlc.neg
func.func @block_argument(%a: tensor<4xf32>) -> tensor<4xf32> {
  %x = dlc.neg %a : tensor<4xf32>
  %e = dlc.exp %x : tensor<4xf32>
  %r = dlc.all_reduce sum (%a) : tensor<4xf32>
  %s = dlc.add %e, %r : tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// In a loop body: a value from outside the body is ready at its start, the
// body's own block argument too, and a value the body computes after it.
// CHECK-LABEL: func.func @loop_body
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %{{.*}}: index)
// CHECK: scf.for {{.*}} iter_args(%[[ACC:[^ ]+]] = %[[A]])
// CHECK-NEXT: %[[X:.*]] = dlc.neg %[[ACC]]
// CHECK-NEXT: %[[R:.*]]:3 = dlc.all_reduce sum(%[[A]], %[[ACC]], %[[X]])
// CHECK-NEXT: dlc.exp %[[A]]
// ALONE-LABEL: func.func @loop_body
// ALONE: scf.for {{.*}} iter_args(%[[ACC:[^ ]+]] = %[[A:[^)]+]])
// ALONE-NEXT: dlc.all_reduce sum(%[[A]])
// ALONE-NEXT: dlc.all_reduce sum(%[[ACC]])
// ALONE-NEXT: %[[X:.*]] = dlc.neg %[[ACC]]
// ALONE-NEXT: dlc.all_reduce sum(%[[X]])
// ALONE-NEXT: dlc.exp %[[A]]
func.func @loop_body(%a: tensor<4xf32>, %n: index) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %a) -> tensor<4xf32> {
    %x = dlc.neg %acc : tensor<4xf32>
    %e = dlc.exp %a : tensor<4xf32>
    %ra = dlc.all_reduce sum (%a) : tensor<4xf32>
    %racc = dlc.all_reduce sum (%acc) : tensor<4xf32>
    %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
    %s = dlc.add %rx, %ra : tensor<4xf32>
    %t = dlc.add %s, %racc : tensor<4xf32>
    %u = dlc.add %t, %e : tensor<4xf32>
    scf.yield %u : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// An all-reduce of another's result stays where it is (after dlc.exp); the
// one it reads moves up to its input as usual.
// CHECK-LABEL: func.func @chained
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]])
// CHECK-NEXT: %[[E:.*]] = dlc.exp
// CHECK-NEXT: %[[RR:.*]] = dlc.all_reduce max(%[[RX]])
// CHECK-NEXT: return %[[E]], %[[RR]]
// ALONE-LABEL: func.func @chained
// ALONE-NEXT: %[[X:.*]] = dlc.neg
// ALONE-NEXT: %[[RX:.*]] = dlc.all_reduce sum(%[[X]])
// ALONE-NEXT: %[[E:.*]] = dlc.exp
// ALONE-NEXT: %[[RR:.*]] = dlc.all_reduce max(%[[RX]])
// ALONE-NEXT: return %[[E]], %[[RR]]
func.func @chained(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %e = dlc.exp %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %rr = dlc.all_reduce max (%rx) : tensor<4xf32>
  return %e, %rr : tensor<4xf32>, tensor<4xf32>
}

// -----

// The chained one (same reduction and type) does not join the others'
// bucket, which forms before it.
// CHECK-LABEL: func.func @chained_not_merged
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[R:.*]]:2 = dlc.all_reduce sum(%[[X]], %[[Y]])
// CHECK-NEXT: %[[E:.*]] = dlc.exp
// CHECK-NEXT: %[[RR:.*]] = dlc.all_reduce sum(%[[R]]#0)
// CHECK-NEXT: return %[[RR]], %[[R]]#1, %[[E]]
func.func @chained_not_merged(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %y = dlc.neg %b : tensor<4xf32>
  %e = dlc.exp %a : tensor<4xf32>
  %rx = dlc.all_reduce sum (%x) : tensor<4xf32>
  %rr = dlc.all_reduce sum (%rx) : tensor<4xf32>
  %ry = dlc.all_reduce sum (%y) : tensor<4xf32>
  return %rr, %ry, %e : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// An all-reduce that already has several inputs joins a bucket as a whole;
// the bucket's inputs follow readiness. Unused results do not keep an
// all-reduce alone or drop it.
// CHECK-LABEL: func.func @several_inputs
// CHECK-NEXT: %[[X:.*]] = dlc.neg
// CHECK-NEXT: %[[Y:.*]] = dlc.neg
// CHECK-NEXT: %[[Z:.*]] = dlc.neg
// CHECK-NEXT: %[[R:.*]]:3 = dlc.all_reduce sum(%[[X]], %[[Y]], %[[Z]]) : tensor<4xf32>, tensor<8xf32>, tensor<2x2xf32>
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
// ALONE-LABEL: func.func @several_inputs
// ALONE-NEXT: %[[X:.*]] = dlc.neg
// ALONE-NEXT: %[[Y:.*]] = dlc.neg
// ALONE-NEXT: dlc.all_reduce sum(%[[X]], %[[Y]]) : tensor<4xf32>, tensor<8xf32>
// ALONE-NEXT: %[[Z:.*]] = dlc.neg
// ALONE-NEXT: dlc.all_reduce sum(%[[Z]]) : tensor<2x2xf32>
// ALONE-NEXT: return
func.func @several_inputs(%a: tensor<4xf32>, %b: tensor<8xf32>, %c: tensor<2x2xf32>) -> (tensor<4xf32>, tensor<8xf32>) {
  %x = dlc.neg %a : tensor<4xf32>
  %y = dlc.neg %b : tensor<8xf32>
  %z = dlc.neg %c : tensor<2x2xf32>
  %rz = dlc.all_reduce sum (%z) : tensor<2x2xf32>
  %rx, %ry = dlc.all_reduce sum (%x, %y) : tensor<4xf32>, tensor<8xf32>
  return %rx, %ry : tensor<4xf32>, tensor<8xf32>
}

// -----

// A data-parallel step: the gradients' all-reduces become one bucket after
// the backward pass computes the last of them; the last layer's gradient
// (%w2's), ready first, leads.
// PIPE-LABEL: func.func @step
// PIPE-SAME: (%{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>, %{{.*}}: tensor<4x5xf32>)
// PIPE: %[[G2:.*]] = dlc.matmul %{{.*}} : tensor<4x2xf32>, tensor<2x5xf32> -> tensor<4x5xf32>
// PIPE: %[[G1:.*]] = dlc.matmul %{{.*}} : tensor<3x2xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// PIPE-NEXT: %[[R:.*]]:2 = dlc.all_reduce mean(%[[G2]], %[[G1]]) : tensor<4x5xf32>, tensor<3x4xf32>
// PIPE-NEXT: return %[[R]]#1, %[[R]]#0
func.func @step(%x: tensor<2x3xf32>, %w1: tensor<3x4xf32>, %w2: tensor<4x5xf32>) -> (tensor<3x4xf32>, tensor<4x5xf32>) {
  %h = dlc.matmul %x, %w1 : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %a = dlc.tanh %h : tensor<2x4xf32>
  %o = dlc.matmul %a, %w2 : tensor<2x4xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  %s = dlc.reduce_sum %o dims = [0, 1] : tensor<2x5xf32> -> tensor<f32>
  %g:2 = dlc.grad %s wrt(%w1, %w2) : tensor<f32> wrt(tensor<3x4xf32>, tensor<4x5xf32>)
  %r1 = dlc.all_reduce mean (%g#0) : tensor<3x4xf32>
  %r2 = dlc.all_reduce mean (%g#1) : tensor<4x5xf32>
  return %r1, %r2 : tensor<3x4xf32>, tensor<4x5xf32>
}
