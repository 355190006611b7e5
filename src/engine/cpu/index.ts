/** The CPU reference engine: float64 maths (`mlp`), one run (`CpuTrainer`), many runs (`CpuEngine`). */
export * from './engine';
export * from './mlp';
export * from './trainer';
