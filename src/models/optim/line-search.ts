/**
 * Moré–Thuente line search (ACM TOMS 20, 1994; the MINPACK-2 dcsrch/dcstep algorithm that
 * SciPy's L-BFGS-B calls), written as a reverse-communication state machine: the caller
 * evaluates f(stp) and f'(stp) and asks for the next trial step until `status` is no longer
 * "evaluate". Finds a step satisfying the strong Wolfe conditions
 *   f(stp) <= f(0) + ftol·stp·f'(0)   and   |f'(stp)| <= gtol·|f'(0)|.
 */
export type SearchStatus = "evaluate" | "converged" | "warning";

const XTRAPL = 1.1;
const XTRAPU = 4.0;

export class MoreThuente {
  status: SearchStatus = "evaluate";
  /** Next step to evaluate (or the accepted one once status is not "evaluate"). */
  stp = 0;
  message = "";

  private brackt = false;
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private width = 0;
  private width1 = 0;
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stmin = 0;
  private stmax = 0;

  constructor(
    private readonly ftol = 1e-3,
    private readonly gtol = 0.9,
    private readonly xtol = 0.1,
    private readonly stpmin = 0,
    private readonly stpmax = 1e10,
  ) {}

  /** Starts a search at step 0 with value f0 and slope g0 < 0, first trying `stp0`. */
  start(stp0: number, f0: number, g0: number): void {
    if (!(g0 < 0)) throw new RangeError("line search: initial slope must be negative");
    this.status = "evaluate";
    this.message = "";
    this.stp = Math.min(Math.max(stp0, this.stpmin), this.stpmax);
    this.brackt = false;
    this.stage = 1;
    this.finit = f0;
    this.ginit = g0;
    this.gtest = this.ftol * g0;
    this.width = this.stpmax - this.stpmin;
    this.width1 = 2 * this.width;
    this.stx = 0;
    this.fx = f0;
    this.gx = g0;
    this.sty = 0;
    this.fy = f0;
    this.gy = g0;
    this.stmin = 0;
    this.stmax = this.stp + XTRAPU * this.stp;
  }

  /** Feeds f(stp), f'(stp); updates `stp` and `status`. */
  next(f: number, g: number): void {
    let stp = this.stp;
    if (!Number.isFinite(f) || !Number.isFinite(g)) {
      // Outside the model's domain (e.g. log of a negative): step back towards the best point.
      // Not part of MINPACK, which assumes f is finite everywhere.
      this.brackt = true;
      this.sty = stp;
      this.fy = Infinity;
      this.gy = Infinity;
      this.stmin = Math.min(this.stx, stp);
      this.stmax = Math.max(this.stx, stp);
      this.stp = this.stx + 0.5 * (stp - this.stx);
      if (Math.abs(this.stp - this.stx) <= 1e-20) {
        this.stp = this.stx;
        this.status = "warning";
        this.message = "non-finite objective along the search direction";
      }
      return;
    }
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;

    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) return this.finish("warning", "rounding errors prevent progress");
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) return this.finish("warning", "xtol test satisfied");
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) return this.finish("warning", "stp = stpmax");
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) return this.finish("warning", "stp = stpmin");
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) return this.finish("converged", "");

    if (this.stage === 1 && f <= this.fx && f > ftest) {
      // Modified function ψ(stp) = f(stp) − f(0) − ftol·stp·f'(0) until a point with ψ ≤ 0, f' ≥ 0 appears.
      const gt = this.gtest;
      this.fx -= this.stx * gt;
      this.fy -= this.sty * gt;
      this.gx -= gt;
      this.gy -= gt;
      stp = this.step(stp, f - stp * gt, g - gt);
      this.fx += this.stx * gt;
      this.fy += this.sty * gt;
      this.gx += gt;
      this.gy += gt;
    } else {
      stp = this.step(stp, f, g);
    }

    if (this.brackt) {
      // Force sufficient shrinkage of the interval of uncertainty, bisecting if needed.
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = stp + XTRAPL * (stp - this.stx);
      this.stmax = stp + XTRAPU * (stp - this.stx);
    }
    stp = Math.min(Math.max(stp, this.stpmin), this.stpmax);
    if ((this.brackt && (stp <= this.stmin || stp >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)) {
      stp = this.stx;
    }
    this.stp = stp;
  }

  private finish(status: SearchStatus, message: string): void {
    this.status = status;
    this.message = message;
  }

  /**
   * One safeguarded step (dcstep): cubic and quadratic interpolants of the best point (stx),
   * the other end of the interval (sty) and the trial (stp); returns the new trial and
   * updates the interval. Extrapolation is limited to [stmin, stmax], the current bounds.
   */
  private step(stp: number, fp: number, dp: number): number {
    const { stx, fx, gx: dx, sty, fy, gy: dy } = this;
    const sgnd = dp * Math.sign(dx);
    let stpf: number;
    if (fp > fx) {
      // Higher value: the minimum is bracketed.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
      if (stp < stx) gamma = -gamma;
      const p = gamma - dx + theta;
      const q = gamma - dx + gamma + dp;
      const stpc = stx + (p / q) * (stp - stx);
      const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
      this.brackt = true;
    } else if (sgnd < 0) {
      // Lower value, derivatives of opposite sign: bracketed.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dx;
      const stpc = stp + (p / q) * (stx - stp);
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      this.brackt = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      // Lower value, same-sign derivative decreasing in magnitude.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma + (dx - dp) + gamma;
      const r = p / q;
      let stpc: number;
      if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
      else if (stp > stx) stpc = this.stmax;
      else stpc = this.stmin;
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.brackt) {
        stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
        stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
      } else {
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        stpf = Math.max(this.stmin, Math.min(this.stmax, stpf));
      }
    } else {
      // Lower value, derivative not decreasing: step to the far end or use the cubic toward sty.
      if (this.brackt && Number.isFinite(fy)) {
        const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
        const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
        let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
        if (stp > sty) gamma = -gamma;
        const p = gamma - dp + theta;
        const q = gamma - dp + gamma + dy;
        stpf = stp + (p / q) * (sty - stp);
      } else if (this.brackt) {
        stpf = stp + 0.5 * (sty - stp);
      } else {
        stpf = stp > stx ? this.stmax : this.stmin;
      }
    }
    if (fp > fx) {
      this.sty = stp;
      this.fy = fp;
      this.gy = dp;
    } else {
      if (sgnd < 0) {
        this.sty = stx;
        this.fy = fx;
        this.gy = dx;
      }
      this.stx = stp;
      this.fx = fp;
      this.gx = dp;
    }
    return stpf;
  }
}
