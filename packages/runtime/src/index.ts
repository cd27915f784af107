export const RuntimeApiVersion = 1
