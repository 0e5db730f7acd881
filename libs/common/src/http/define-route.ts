import { Get, type Type } from '@nestjs/common';

export interface RouteDeclaration<C> {
  /** The handler's method name on the controller. */
  name: string;
  path: string;
  /** The handler's parameter decorators, in parameter order. */
  parameters: ParameterDecorator[];
  /** Method decorators besides `@Get(path)`. */
  decorators: MethodDecorator[];
  handler: (this: C, ...args: never[]) => unknown;
}

/**
 * Declares a `GET` route on a controller from data (a row of the scope table), with exactly the
 * decorators a hand-written method carries, so that Nest routes, guards and pipes it the same
 * way. Runs when the controller's module loads, before Nest reads the metadata.
 */
export function defineGetRoute<C>(controller: Type<C>, route: RouteDeclaration<C>): void {
  const prototype = controller.prototype as Record<string, unknown>;
  prototype[route.name] = route.handler;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, route.name) as PropertyDescriptor;
  route.parameters.forEach((decorate, index) => decorate(prototype, route.name, index));
  for (const decorate of [...route.decorators, Get(route.path)]) {
    decorate(prototype, route.name, descriptor);
  }
}
