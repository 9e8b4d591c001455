// Brackets nested deeper than MLIR's parser can recurse (it has no limit and
// overflows its stack: the pipeline fuzz target found it) get a diagnostic
// from dlc-opt and dlc-run, not a crash. 300 levels: refused; 200: parsed.
// RUN: python3 -c "print('func.func @f() { %%0 = dlc.constant ' + '[' * 300 + '1.0' + ']' * 300 + ' : tensor<f32>\n return }')" > %t.deep.mlir
// RUN: not dlc-opt %t.deep.mlir 2>&1 | FileCheck %s --check-prefix=DEEP
// RUN: not dlc-run %t.deep.mlir --input-random 2>&1 | FileCheck %s --check-prefix=DEEP
// DEEP: deep.mlir:1:{{[0-9]+}}: error: brackets nested deeper than 256 levels
// RUN: python3 -c "print('func.func @f() { %%0 = dlc.constant ' + '[' * 200 + '1.0' + ']' * 200 + ' : tensor<f32>\n return }')" > %t.ok.mlir
// RUN: not dlc-opt %t.ok.mlir 2>&1 | FileCheck %s --check-prefix=OK
// OK-NOT: nested deeper
// OK: error:

// A '->' arrow closes nothing; 'dlc-opt' reads this file itself.
// RUN: dlc-opt %s | FileCheck %s --check-prefix=ARROW
// ARROW: func.func @g
func.func @g(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
