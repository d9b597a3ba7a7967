# Allocate far more memory than the machine has, touching every page.
import numpy as np
hog = np.ones(8 * 2**30 // 8)
