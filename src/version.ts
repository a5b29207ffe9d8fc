/** nnlang's version, as `nn --version` prints it and generated modules record it. */
export const version = '0.1.0';
