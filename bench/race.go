//go:build race

package bench

// raceEnabled is true when built with -race, which slows everything down
// about tenfold: the smoke test then uses smaller sizes.
const raceEnabled = true
