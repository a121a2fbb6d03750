package store

// PackGrams and UnpackGrams are packGrams and unpackGrams for the tests of package store_test.
var (
	PackGrams   = packGrams
	UnpackGrams = unpackGrams
)
