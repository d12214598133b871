// OpenBLAS's CBLAS interface plus the LAPACK routines Chuandao calls.
//
// Debian's OpenBLAS ships no lapacke.h, so the Fortran entry points are declared
// here with the gfortran ABI: every argument by pointer, 32-bit integers,
// column-major arrays, and one trailing hidden `size_t` length per character
// argument. f77blas.h is deliberately not included (its prototypes would clash).
#ifndef CHUANDAO_CBLAS_SHIM_H
#define CHUANDAO_CBLAS_SHIM_H

#include <stddef.h>
#include <cblas.h>

/// Cholesky factorisation of a symmetric positive definite matrix.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
             size_t uplo_len);

/// Solves A X = B with the Cholesky factor computed by dpotrf_.
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
             const int *lda, double *b, const int *ldb, int *info, size_t uplo_len);

/// Least squares (or minimum norm) solution of an over- or under-determined system by QR/LQ.
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a,
            const int *lda, double *b, const int *ldb, double *work, const int *lwork,
            int *info, size_t trans_len);

/// Eigenvalues (and optionally eigenvectors) of a symmetric matrix.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info, size_t jobz_len,
            size_t uplo_len);

#endif
